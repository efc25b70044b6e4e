package httpui

import "testing"

func TestLoneSurrogate(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"a":"Ada"}`, false},
		{`{"a":"\ud83d\ude00"}`, false}, // a pair: 😀
		{`{"a":"\ud800"}`, true},
		{`{"a":"Ada\udc00"}`, true},
		{`{"a":"\ud83d\u0041"}`, true}, // a high half, then no low one
		{`{"a":"\\ud800"}`, false},     // a backslash, then text
		{`{"a":"\\\ud800"}`, true},
		{`{"a":"\u00e9\n\"\/"}`, false},
		{`{"a":"\ud8`, false}, // cut short: the decoder says so
	}
	for _, tt := range tests {
		if got := loneSurrogate([]byte(tt.body)); got != tt.want {
			t.Errorf("loneSurrogate(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
