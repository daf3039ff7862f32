CREATE TABLE [dbo].[bAPTH]
(
[APCo] [dbo].[bCompany] NOT NULL,
[Mth] [dbo].[bMonth] NOT NULL,
[APTrans] [dbo].[bTrans] NOT NULL,
[VendorGroup] [dbo].[bGroup] NOT NULL,
[Vendor] [dbo].[bVendor] NOT NULL,
[InvId] [char] (10) COLLATE Latin1_General_BIN NULL,
[Description] [dbo].[bDesc] NULL,
[InvDate] [dbo].[bDate] NOT NULL,
[DueDate] [dbo].[bDate] NOT NULL,
[InvTotal] [dbo].[bDollar] NOT NULL,
[HoldCode] [dbo].[bHoldCode] NULL,
[PayMethod] [char] (1) COLLATE Latin1_General_BIN NOT NULL,
[CMCo] [dbo].[bCompany] NOT NULL,
[PrePaidProcYN] [dbo].[bYN] NOT NULL CONSTRAINT [DF_bAPTH_PrePaidProcYN] DEFAULT ('N'),
[OpenYN] [dbo].[bYN] NOT NULL,
[BatchId] [dbo].[bBatchID] NOT NULL,
[Notes] [varchar] (max) COLLATE Latin1_General_BIN NULL,
[UniqueAttchID] [uniqueidentifier] NULL,
[KeyID] [bigint] NOT NULL IDENTITY(1, 1),
[udPaidAmt] [decimal] (12, 2) NULL
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
CREATE UNIQUE CLUSTERED INDEX [biAPTH] ON [dbo].[bAPTH] ([APCo], [Mth], [APTrans]) WITH (FILLFACTOR=85, STATISTICS_NORECOMPUTE=ON) ON [PRIMARY]

CREATE NONCLUSTERED INDEX [biAPTHOpen] ON [dbo].[bAPTH] ([APCo], [Mth], [OpenYN]) WITH (FILLFACTOR=85, STATISTICS_NORECOMPUTE=ON) ON [PRIMARY]

CREATE UNIQUE NONCLUSTERED INDEX [biKeyID] ON [dbo].[bAPTH] ([KeyID]) WITH (FILLFACTOR=85, STATISTICS_NORECOMPUTE=ON) ON [PRIMARY]

CREATE NONCLUSTERED INDEX [biAPTHVendor ] ON [dbo].[bAPTH] ([Vendor], [VendorGroup]) WITH (FILLFACTOR=85, STATISTICS_NORECOMPUTE=ON) ON [PRIMARY]

GO
SET QUOTED_IDENTIFIER ON
GO
SET ANSI_NULLS ON
GO
CREATE trigger [dbo].[btAPTHi] on [dbo].[bAPTH] for INSERT as
/*-----------------------------------------------------------------
* Validates APCo, Vendor, HoldCode, PayMethod and CMCo.
*/----------------------------------------------------------------
DECLARE @errmsg varchar(255), @validcnt int, @numrows int
SELECT @numrows = @@rowcount
IF @numrows = 0 RETURN
SET NOCOUNT ON
-- validate Vendor
SELECT @validcnt = COUNT(*) FROM bAPVM v with (nolock)
JOIN inserted i ON v.VendorGroup = i.VendorGroup AND v.Vendor = i.Vendor
IF @validcnt <> @numrows
BEGIN
	SELECT @errmsg = 'Invalid Vendor'
	GOTO error
END
-- validate PayMethod
SELECT @validcnt = COUNT(*) FROM inserted WHERE PayMethod = 'C' OR PayMethod = 'E' OR PayMethod = 'S'
IF @validcnt <> @numrows
BEGIN
	SELECT @errmsg = 'Invalid Payment Method'
	GOTO error
END
RETURN
error:
SELECT @errmsg = @errmsg +  ' - cannot insert AP Transaction Header!'
RAISERROR(@errmsg, 11, -1);
ROLLBACK TRANSACTION
GO
