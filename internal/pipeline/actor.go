package pipeline

// Roles a user can hold.
const (
	RoleRep     = "rep"
	RoleManager = "manager"
	RoleAdmin   = "admin"
)

// Roles lists every role, lowest privilege first.
var Roles = []string{RoleRep, RoleManager, RoleAdmin}

// Actor is the signed-in user on whose behalf a service call runs. Stores
// scope every query by OrgID and apply the access policy from Role and ID.
type Actor struct {
	UserID int64
	OrgID  int64
	Role   string
	TeamID int64 // 0 when the user has no team
	Name   string
	Email  string
	TZ     string
}

// IsAdmin reports whether the actor administers the org.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// CanReview reports whether the actor may review flags and tune scoring.
func (a Actor) CanReview() bool { return a.Role == RoleManager || a.Role == RoleAdmin }

// ValidRole reports whether s names a role.
func ValidRole(s string) bool {
	for _, r := range Roles {
		if r == s {
			return true
		}
	}
	return false
}
