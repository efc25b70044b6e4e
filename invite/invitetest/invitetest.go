// Package invitetest checks that an invite.Store keeps the contract that
// invite.Service relies on: the whole lifecycle through the service, its
// state machine, isolation of companies, the bounds on how often things
// happen, transactions (InTx and every method's own), and what many
// goroutines doing the same thing at once may and may not leave behind.
//
// A Store implementation runs it from a test of its own:
//
//	func TestConformance(t *testing.T) {
//		invitetest.Run(t, func(t *testing.T) invite.Store { return memstore.New() })
//	}
//
// Package store runs it on SQLite and MariaDB, and package memstore on its
// in-memory reference store. The suite sees a store only through
// invite.Store: what depends on a database (migrations, SQL, connections
// cut) is tested beside that store, and may start from the suite's World.
package invitetest

import (
	"testing"

	"github.com/invitehq/invite/invite"
)

// Opener returns a new, empty store for one test; it may register
// t.Cleanup to close it.
type Opener func(t *testing.T) invite.Store

// Run runs every test of the suite as a subtest of t, each on a store of
// its own from open.
func Run(t *testing.T, open Opener) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open) })
	}
}

// suite lists the tests of Run, by name.
var suite = []struct {
	name string
	test func(t *testing.T, open Opener)
}{
	{"Transitions", testTransitions},
	{"Resend", testResend},
	{"MailSignedBySender", testMailSignedBySender},
	{"ExpiryBoundary", testExpiryBoundary},
	{"ExpireDue", testExpireDue},
	{"InviteAfterExpiry", testInviteAfterExpiry},
	{"Accept", testAccept},
	{"ConcurrentAccept", testConcurrentAccept},
	{"ConcurrentInvite", testConcurrentInvite},
	{"ResendRacesAccept", testResendRacesAccept},
	{"ConcurrentExpireDue", testConcurrentExpireDue},
	{"CompanyIsolation", testCompanyIsolation},
	{"ActorIsReloaded", testActorIsReloaded},
	{"FlowsAreAtomic", testFlowsAreAtomic},
	{"InTx", testInTx},
	{"ClaimsLapse", testClaimsLapse},
	{"ChangeUser", testChangeUser},
	{"LastAdministrator", testLastAdministrator},
	{"DisableUser", testDisableUser},
	{"DeleteUser", testDeleteUser},
	{"ProfileAndPassword", testProfileAndPassword},
	{"UsersSearch", testUsersSearch},
	{"RemovedAdministratorsInvitations", testRemovedAdministratorsInvitations},
	{"NoPasswordHashReturned", testNoPasswordHashReturned},
	{"Sessions", testSessions},
	{"SessionContext", testSessionContext},
	{"DemotionDuringInvitations", testDemotionDuringInvitations},
	{"RequestNewInvitation", testRequestNewInvitation},
	{"RequestsReachSomeone", testRequestsReachSomeone},
	{"Terms", testTerms},
	{"Users", testUsers},
	{"PruneSessions", testPruneSessions},
	{"LoginRacesChange", testLoginRacesChange},
	{"PasswordReset", testPasswordReset},
	{"ResetMailsBounded", testResetMailsBounded},
	{"Invitations", testInvitations},
	{"ResendLimits", testResendLimits},
	{"InvitationLimit", testInvitationLimit},
	{"FailedLoginLimit", testFailedLoginLimit},
	{"AttemptLimit", testAttemptLimit},
	{"UpdateLimitsNewKey", testUpdateLimitsNewKey},
	{"FailedLoginsAtOnce", testFailedLoginsAtOnce},
	{"InviteInvalidInput", testInviteInvalidInput},
	{"RegisterCompany", testRegisterCompany},
	{"CompanyByName", testCompanyByName},
	{"CompanyNames", testCompanyNames},
	{"CompanyNamesOneSpelling", testCompanyNamesOneSpelling},
	{"Bootstrap", testBootstrap},
	{"ConcurrentBootstrap", testConcurrentBootstrap},
	{"ResendFromInput", testResendFromInput},
	{"NoAccountOracle", testNoAccountOracle},
	{"OneAddressHoweverSpelt", testOneAddressHoweverSpelt},
	{"JoinRequests", testJoinRequests},
	{"JoinNoticesBounded", testJoinNoticesBounded},
	{"JoinNoticesNotUsedByRepeats", testJoinNoticesNotUsedByRepeats},
	{"JoinRequestsBounded", testJoinRequestsBounded},
	{"DeliveryFailure", testDeliveryFailure},
	{"Reminders", testReminders},
	{"MailTemplates", testMailTemplates},
	{"MessagesIsolation", testMessagesIsolation},
	{"JobsConcurrently", testJobsConcurrently},
	{"MailerKeepsItsMessages", testMailerKeepsItsMessages},
	{"MailerMiscounts", testMailerMiscounts},
	{"DeliveryErrorsForReader", testDeliveryErrorsForReader},
	{"DeliveryOverSMTP", testDeliveryOverSMTP},
	{"OutboxSurvivesSMTPDown", testOutboxSurvivesSMTPDown},
	{"DeliveriesRecordedOnce", testDeliveriesRecordedOnce},
	{"RecordedAsAnswered", testRecordedAsAnswered},
	{"DeliveryFailuresLogged", testDeliveryFailuresLogged},
	{"SlowDeliveryNotSentTwice", testSlowDeliveryNotSentTwice},
	{"ConcurrentDelivery", testConcurrentDelivery},
	{"Seats", testSeats},
	{"SeatsChangeUser", testSeatsChangeUser},
	{"SetSeats", testSetSeats},
	{"SeatsConcurrentAccept", testSeatsConcurrentAccept},
	{"SeatsConcurrentInvite", testSeatsConcurrentInvite},
	{"SeatsWindowExtension", testSeatsWindowExtension},
	{"PresetNamesOneSpelling", testPresetNamesOneSpelling},
	{"AllowedDomains", testAllowedDomains},
	{"InvitationsFollowDomains", testInvitationsFollowDomains},
	{"JoinRequestsFollowDomains", testJoinRequestsFollowDomains},
	{"ConcurrentAllowedDomains", testConcurrentAllowedDomains},
	{"Presets", testPresets},
	{"PresetInvalidInput", testPresetInvalidInput},
	{"PresetGrantsNothing", testPresetGrantsNothing},
	{"PresetFill", testPresetFill},
	{"ConcurrentPresets", testConcurrentPresets},
	{"AccessWindowInvitation", testAccessWindowInvitation},
	{"AccessWindowLogin", testAccessWindowLogin},
	{"AccessWindowEdit", testAccessWindowEdit},
	{"AccessWindowLastAdmin", testAccessWindowLastAdmin},
	{"ConcurrentDisableEndedAccess", testConcurrentDisableEndedAccess},
	{"BatchDryRun", testBatchDryRun},
	{"BatchAllOrNone", testBatchAllOrNone},
	{"BatchKey", testBatchKey},
	{"BatchConcurrentConfirm", testBatchConcurrentConfirm},
	{"BatchResume", testBatchResume},
	{"BatchRowsLimit", testBatchRowsLimit},
	{"BatchSeats", testBatchSeats},
	{"BatchPresets", testBatchPresets},
	{"BatchAllOrNoneAtSend", testBatchAllOrNoneAtSend},
	{"BatchSenderGone", testBatchSenderGone},
	{"BulkMailWaits", testBulkMailWaits},
	{"HistoryTimeline", testHistoryTimeline},
	{"HistoryUserLife", testHistoryUserLife},
	{"HistoryOnlyWhatCommitted", testHistoryOnlyWhatCommitted},
	{"HistoryConcurrentOnce", testHistoryConcurrentOnce},
	{"HistoryIsolation", testHistoryIsolation},
	{"HistoryPaging", testHistoryPaging},
	{"HistoryRenewalAfterExpiry", testHistoryRenewalAfterExpiry},
	{"HistoryResetMail", testHistoryResetMail},
	{"HistoryNoOpSaves", testHistoryNoOpSaves},
	{"WebhooksOfRemovedAdmins", testWebhooksOfRemovedAdmins},
	{"OutboxStats", testOutboxStats},
	{"WebhookStore", testWebhookStore},
	{"WebhookClaimsConcurrent", testWebhookClaimsConcurrent},
	{"WebhookDeliveriesAtomic", testWebhookDeliveriesAtomic},
	{"Webhooks", testWebhooks},
	{"WebhookFanOut", testWebhookFanOut},
	{"PruneHistory", testPruneHistory},
	{"UserNames", testUserNames},
	{"EventsExport", testEventsExport},
	{"APITokens", testAPITokens},
	{"APITokenScope", testAPITokenScope},
	{"APITokenLastUsed", testAPITokenLastUsed},
	{"InviteOnce", testInviteOnce},
	{"ConcurrentInviteOnce", testConcurrentInviteOnce},
	{"InviteOnceAtomic", testInviteOnceAtomic},
}
