-- The update page's example request body, byte for byte: two-space indent
-- and CRLF line ends, which gives the page's Content-length of 248.
-- The other scripts load it with dofile.
return table.concat({
	"{",
	'  "@odata.type": "#microsoft.graph.telecomExpenseManagementPartner",',
	'  "displayName": "Display Name value",',
	'  "url": "Url value",',
	'  "appAuthorized": true,',
	'  "enabled": true,',
	'  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"',
	"}",
}, "\r\n")
