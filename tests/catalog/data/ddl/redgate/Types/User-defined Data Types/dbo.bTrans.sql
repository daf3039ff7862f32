CREATE TYPE [dbo].[bTrans] FROM int NOT NULL
GO
