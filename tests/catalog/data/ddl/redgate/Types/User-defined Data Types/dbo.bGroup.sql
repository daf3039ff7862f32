CREATE TYPE [dbo].[bGroup] FROM [tinyint] NOT NULL
GO
