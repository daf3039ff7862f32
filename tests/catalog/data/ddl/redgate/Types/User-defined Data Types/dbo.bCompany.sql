CREATE TYPE [dbo].[bCompany] FROM [tinyint] NOT NULL
GO
