CREATE TYPE [dbo].[bGLAcct] FROM char (20) NULL
GO
