CREATE TABLE [dbo].[bHQCO]
(
[HQCo] [dbo].[bCompany] NOT NULL,
[Name] [varchar] (60) COLLATE Latin1_General_BIN NULL,
[VendorGroup] [dbo].[bGroup] NOT NULL,
[CustGroup] [dbo].[bGroup] NOT NULL,
[PhaseGroup] [dbo].[bGroup] NOT NULL,
[Notes] [varchar] (max) COLLATE Latin1_General_BIN NULL,
[KeyID] [bigint] NOT NULL IDENTITY(1, 1)
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]
CREATE UNIQUE CLUSTERED INDEX [biHQCO] ON [dbo].[bHQCO] ([HQCo]) WITH (FILLFACTOR=90) ON [PRIMARY]

CREATE UNIQUE NONCLUSTERED INDEX [biKeyID] ON [dbo].[bHQCO] ([KeyID]) WITH (FILLFACTOR=90) ON [PRIMARY]

GO
GRANT SELECT ON  [dbo].[bHQCO] TO [public]
GRANT INSERT ON  [dbo].[bHQCO] TO [public]
GO
