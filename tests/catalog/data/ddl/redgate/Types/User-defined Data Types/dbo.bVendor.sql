CREATE TYPE [dbo].[bVendor] FROM int NOT NULL
GO
