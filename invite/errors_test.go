package invite

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"Nil", nil, ""},
		{"Plain", errors.New("disk on fire"), CodeInternal},
		{"Sentinel", ErrInvitationExpired, CodeExpired},
		{"Wrapped", fmt.Errorf("accept: %w", ErrInvitationCanceled), CodeConflict},
		{"WithField", withField(ErrUserExists, "email"), CodeConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	e := withField(ErrUserExists, "email")
	if !errors.Is(fmt.Errorf("wrapped: %w", e), ErrUserExists) {
		t.Errorf("a copy with a field does not match its sentinel")
	}
	if errors.Is(e, ErrInvitationPending) {
		t.Errorf("different reasons of one code match")
	}
}

func TestErrorMessage(t *testing.T) {
	if got := ErrorMessage(errors.New("password=hunter2 leaked")); got != "An internal error occurred." {
		t.Errorf("internal error shown as %q", got)
	}
	internal := &Error{Code: CodeInternal, Message: "secret detail"}
	if got := ErrorMessage(internal); got != "An internal error occurred." {
		t.Errorf("internal *Error shown as %q", got)
	}
	if got := ErrorMessage(fmt.Errorf("x: %w", ErrForbidden)); got != ErrForbidden.Message {
		t.Errorf("got %q, want %q", got, ErrForbidden.Message)
	}
}

// Found from outside: a typed nil *Error in an error panicked.
func TestTypedNilError(t *testing.T) {
	var e *Error
	err := error(e)
	if got := ErrorCode(err); got != CodeInternal {
		t.Errorf("ErrorCode: %q", got)
	}
	if got := ErrorMessage(err); got != "An internal error occurred." {
		t.Errorf("ErrorMessage: %q", got)
	}
}
