CREATE TYPE [dbo].[bHoldCode] FROM varchar (10) NULL
GO
