package invite

import "encoding/json"

// forReader returns e as reader may read it: the mail server's answer in
// the detail of a failed delivery (mail.failed's "error") is, for anyone
// but a Global Administrator, only its reply code, as on Sent Mail
// (deliveryError). e itself is left as it is.
func (e *Event) forReader(reader *User) *Event {
	if e.Kind != EventMailFailed || reader.AdminLevel == AdminGlobal || len(e.Detail) == 0 {
		return e
	}
	var d map[string]any
	if json.Unmarshal(e.Detail, &d) != nil {
		return e
	}
	msg, ok := d["error"].(string)
	if !ok {
		return e
	}
	d["error"] = deliveryError(reader, msg)
	c := *e
	c.Detail = detail(d)
	return &c
}
