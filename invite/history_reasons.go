package invite

// Reasons of the fields of a page that selects events (the Events page
// and its export); ReasonUnknownEventKind is in history.go.
const (
	// ReasonUnknownCompany is a company chosen that is none of the list.
	ReasonUnknownCompany = "unknown_company"
	// ReasonUnknownExportFormat is an export asked in a format that is
	// neither CSV nor JSON Lines.
	ReasonUnknownExportFormat = "unknown_export_format"
)
