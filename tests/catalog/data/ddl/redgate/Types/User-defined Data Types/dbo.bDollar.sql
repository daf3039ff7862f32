CREATE TYPE [dbo].[bDollar] FROM numeric (12, 2) NOT NULL
GO
