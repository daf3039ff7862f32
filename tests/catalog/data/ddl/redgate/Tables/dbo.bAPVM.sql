CREATE TABLE [dbo].[bAPVM]
(
[VendorGroup] [dbo].[bGroup] NOT NULL,
[Vendor] [dbo].[bVendor] NOT NULL,
[SortName] [dbo].[bSortName] NOT NULL,
[Name] [varchar] (60) COLLATE Latin1_General_BIN NULL,
[Type] [char] (1) COLLATE Latin1_General_BIN NOT NULL,
[ActiveYN] [dbo].[bYN] NOT NULL,
[SeparatePayInvYN] [dbo].[bYN] NOT NULL CONSTRAINT [DF_bAPVM_SeparatePayInvYN] DEFAULT ('N'),
[APRefUnqOvr] [tinyint] NOT NULL CONSTRAINT [DF_bAPVM_APRefUnqOvr] DEFAULT ((0)),
[KeyID] [bigint] NOT NULL IDENTITY(1, 1)
) ON [PRIMARY]
CREATE UNIQUE CLUSTERED INDEX [biAPVM] ON [dbo].[bAPVM] ([VendorGroup], [Vendor]) WITH (FILLFACTOR=90) ON [PRIMARY]

CREATE UNIQUE NONCLUSTERED INDEX [biKeyID] ON [dbo].[bAPVM] ([KeyID]) WITH (FILLFACTOR=90) ON [PRIMARY]

CREATE UNIQUE NONCLUSTERED INDEX [biAPVMSortName] ON [dbo].[bAPVM] ([VendorGroup], [SortName]) WITH (FILLFACTOR=90) ON [PRIMARY]

GO
SET QUOTED_IDENTIFIER ON
GO
SET ANSI_NULLS ON
GO
/****** Object:  Trigger dbo.btAPVMd    Script Date: 8/28/99 9:37:00 AM ******/
   CREATE     trigger [dbo].[btAPVMd] on [dbo].[bAPVM] for DELETE as
/*-----------------------------------------------------------------
 *	This trigger restricts deletion of any APVM records if
 *	entries exist in APTH.
 */----------------------------------------------------------------
   declare @errmsg varchar(255), @numrows int
   select @numrows = @@rowcount
   if @numrows = 0 return
   set nocount on
   if exists(select top 1 1 from bAPTH a join deleted d on a.VendorGroup=d.VendorGroup and a.Vendor=d.Vendor)
   	begin
   	select @errmsg='AP Transaction(s) exist'
   	goto error
   	end
   return
   error:
   	select @errmsg = @errmsg + ' - cannot delete AP Vendor!'
   	RAISERROR(@errmsg, 11, -1);
   	rollback transaction
GO
ALTER TABLE [dbo].[bAPVM] WITH NOCHECK ADD CONSTRAINT [CK_bAPVM_Type] CHECK (([Type]='R' OR [Type]='S'))
GO
EXEC sp_bindrule N'[dbo].[brYesNo]', N'[dbo].[bAPVM].[ActiveYN]'
GO
