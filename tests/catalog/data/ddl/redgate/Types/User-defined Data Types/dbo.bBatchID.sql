CREATE TYPE [dbo].[bBatchID] FROM int NULL
GO
