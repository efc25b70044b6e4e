// Package apiclient is a client of invite's HTTP API written as another
// system would write it: with nothing but net/http and encoding/json, and
// an API token made on the profile page. It creates invitations (with an
// idempotency key, so that a retry never invites twice) and lists them.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Client calls the API at BaseURL (such as "https://invite.example.com")
// with Token.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client // http.DefaultClient when nil
}

// Grant is a subscription with a role: viewer, contributor or
// administrator.
type Grant struct {
	SubscriptionID int64  `json:"subscription_id"`
	Role           string `json:"role"`
}

// NewInvitation is who is invited and what they get.
type NewInvitation struct {
	CompanyID      int64   `json:"company_id"`
	Email          string  `json:"email"`
	FirstName      string  `json:"first_name"`
	LastName       string  `json:"last_name"`
	BusinessRoleID int64   `json:"business_role_id"`
	Grants         []Grant `json:"grants"`
}

// Invitation is an invitation as the API answers it (some of its fields).
type Invitation struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Problem is the API's error: RFC 9457 problem details.
type Problem struct {
	Status int    `json:"status"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Reason, p.Detail) }

// Invite creates an invitation under key: called again with the same key
// and invitation (a retry after a timeout, say), it returns the same
// invitation and invites no one again.
func (c *Client) Invite(ctx context.Context, key string, in NewInvitation) (*Invitation, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var inv Invitation
	return &inv, c.do(ctx, http.MethodPost, "/api/v1/invitations", body, map[string]string{"Idempotency-Key": key}, &inv)
}

// Invitations returns every invitation with the status ("" for any),
// newest first, following the pages' cursors.
func (c *Client) Invitations(ctx context.Context, status string) ([]Invitation, error) {
	var all []Invitation
	cursor := ""
	for {
		q := url.Values{"status": {status}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []Invitation `json:"items"`
			NextCursor *string      `json:"next_cursor"`
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/invitations?"+q.Encode(), nil, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all, nil
		}
		cursor = *page.NextCursor
	}
}

// do sends a request and decodes its answer into out, or returns the
// problem the API answered.
func (c *Client) do(ctx context.Context, method, path string, body []byte, header map[string]string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		p := &Problem{Status: resp.StatusCode}
		_ = json.Unmarshal(b, p)
		return p
	}
	return json.Unmarshal(b, out)
}
