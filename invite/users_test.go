package invite

import (
	"slices"
	"testing"
)

func TestGrantableRoles(t *testing.T) {
	contributor := &User{AdminLevel: AdminCompany, CompanyID: 1, Grants: []Grant{{SubscriptionID: 7, Role: RoleContributor}}}
	tests := []struct {
		name  string
		actor *User
		sub   int64
		want  []Role
	}{
		{"a Global Administrator grants every role", &User{AdminLevel: AdminGlobal}, 7, Roles()},
		{"a Company Administrator grants up to their own role", contributor, 7, []Role{RoleViewer, RoleContributor}},
		{"and nothing where they hold none", contributor, 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GrantableRoles(tt.actor, tt.sub); !slices.Equal(got, tt.want) {
				t.Errorf("GrantableRoles = %v, want %v", got, tt.want)
			}
		})
	}
}
