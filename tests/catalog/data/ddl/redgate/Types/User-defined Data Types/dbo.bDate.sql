CREATE TYPE [dbo].[bDate] FROM smalldatetime NULL
GO
