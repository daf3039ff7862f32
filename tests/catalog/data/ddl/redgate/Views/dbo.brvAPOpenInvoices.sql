SET QUOTED_IDENTIFIER ON
GO
SET ANSI_NULLS ON
GO
/* AP open invoices by vendor, for the AP Open Payables report */
CREATE VIEW [dbo].[brvAPOpenInvoices]
AS
SELECT  h.APCo, h.Mth, h.APTrans, v.Name AS VendorName, h.InvTotal,
        DATEDIFF(day, h.DueDate, GETDATE()) AS DaysPastDue
FROM    dbo.APTH h WITH (NOLOCK)
        JOIN dbo.APVM v WITH (NOLOCK) ON v.VendorGroup = h.VendorGroup AND v.Vendor = h.Vendor
WHERE   h.OpenYN = 'Y'
GO
GRANT SELECT ON  [dbo].[brvAPOpenInvoices] TO [public]
GO
