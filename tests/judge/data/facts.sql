-- A small but complete Vista-shaped schema (a DDL export, so counts and "only" claims can be decided):
-- the facts reader's table (tests/judge/facts.yaml) is judged against it.
CREATE TYPE [dbo].[bCompany] FROM [tinyint] NOT NULL
GO
CREATE TYPE [dbo].[bMonth] FROM [smalldatetime] NOT NULL
GO
CREATE TYPE [dbo].[bTrans] FROM [int] NOT NULL
GO
CREATE TYPE [dbo].[bGroup] FROM [tinyint] NOT NULL
GO
CREATE TYPE [dbo].[bVendor] FROM [int] NOT NULL
GO
CREATE TYPE [dbo].[bDollar] FROM [numeric] (12, 2) NOT NULL
GO
CREATE TABLE [dbo].[bAPTH]
(
[APCo] [dbo].[bCompany] NOT NULL,
[Mth] [dbo].[bMonth] NOT NULL,
[APTrans] [dbo].[bTrans] NOT NULL,
[VendorGroup] [dbo].[bGroup] NOT NULL,
[Vendor] [dbo].[bVendor] NOT NULL,
[InvId] [char] (10) NULL,
[InvTotal] [dbo].[bDollar] NOT NULL
)
CREATE UNIQUE CLUSTERED INDEX [biAPTH] ON [dbo].[bAPTH] ([APCo], [Mth], [APTrans])
GO
CREATE TABLE [dbo].[bAPTD]
(
[APCo] [dbo].[bCompany] NOT NULL,
[Mth] [dbo].[bMonth] NOT NULL,
[APTrans] [dbo].[bTrans] NOT NULL,
[APSeq] [tinyint] NOT NULL,
[Amount] [dbo].[bDollar] NOT NULL,
[Status] [tinyint] NOT NULL CHECK ([Status] IN (1, 2, 3, 4))
)
CREATE UNIQUE CLUSTERED INDEX [biAPTD] ON [dbo].[bAPTD] ([APCo], [Mth], [APTrans], [APSeq])
GO
CREATE TABLE [dbo].[bAPVM]
(
[VendorGroup] [dbo].[bGroup] NOT NULL,
[Vendor] [dbo].[bVendor] NOT NULL,
[Name] [varchar] (60) NULL,
[Type] [char] (1) NOT NULL
)
CREATE UNIQUE CLUSTERED INDEX [biAPVM] ON [dbo].[bAPVM] ([VendorGroup], [Vendor])
GO
CREATE VIEW [dbo].[APTH] AS SELECT a.* FROM bAPTH a
GO
CREATE VIEW [dbo].[APTD] AS SELECT a.* FROM bAPTD a
GO
CREATE VIEW [dbo].[APVM] AS SELECT a.* FROM bAPVM a
GO
