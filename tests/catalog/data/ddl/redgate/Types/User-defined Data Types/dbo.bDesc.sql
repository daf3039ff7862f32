CREATE TYPE [dbo].[bDesc] FROM varchar (30) NULL
GO
