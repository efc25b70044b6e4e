package memstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// A service over a store in memory, as a test of a program that embeds
// the service starts one: nothing to open, migrate or close.
func Example() {
	svc := invite.NewService(memstore.New(), invite.Config{})
	ctx := context.Background()
	root, _, err := svc.Bootstrap(ctx, "root@example.com", "correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	c, err := svc.RegisterCompany(invite.NewContext(ctx, root), invite.CompanyInput{
		Name:          "Acme",
		Subscriptions: []string{"App Designer"},
		BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ID, c.Name, c.Subscriptions[0].Name)
	// Output: 1 Acme App Designer
}
