CREATE TYPE [dbo].[bMonth] FROM smalldatetime NOT NULL
GO
