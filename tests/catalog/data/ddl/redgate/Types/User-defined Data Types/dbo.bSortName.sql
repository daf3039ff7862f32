CREATE TYPE [dbo].[bSortName] FROM varchar (15) NULL
GO
