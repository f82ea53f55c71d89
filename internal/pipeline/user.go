package pipeline

import (
	"context"
	"net/mail"

	"goodmoney/internal/password"
	"strings"
	"time"
)

// Org is a company using goodmoney: the tenant every record belongs to.
type Org struct {
	ID               int64
	Name             string
	Timezone         string
	Currency         string
	BusinessStart    int
	BusinessEnd      int
	WalkawayTemplate string
}

// User is a person who signs in.
type User struct {
	ID           int64
	OrgID        int64
	Email        string
	Name         string
	PasswordHash string
	Role         string
	TeamID       int64
	TeamName     string
	Timezone     string
	DigestOptOut bool
	Disabled     bool
	SessionEpoch int // sessions signed in under an older epoch are void
	CreatedAt    time.Time
}

// Actor returns the user as the actor of service calls.
func (u *User) Actor() Actor {
	return Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, TeamID: u.TeamID, Name: u.Name, Email: u.Email, TZ: u.Timezone}
}

// Team groups reps under a manager.
type Team struct {
	ID          int64
	OrgID       int64
	Name        string
	ManagerID   int64
	ManagerName string
}

// NewUser is the input for creating a user.
type NewUser struct {
	Email    string
	Name     string
	Role     string
	TeamID   int64
	Timezone string
	Password string
}

// Normalize trims the fields and lower-cases the email.
func (n *NewUser) Normalize() {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	n.Timezone = strings.TrimSpace(n.Timezone)
	if n.Timezone == "" {
		n.Timezone = "UTC"
	}
}

// Validate returns per-field messages, or nil when the input is acceptable.
// orgName is the name of the user's org, which the password must not contain.
func (n *NewUser) Validate(orgName string) map[string]string {
	errs := map[string]string{}
	if _, err := mail.ParseAddress(n.Email); err != nil || !strings.Contains(n.Email, "@") {
		errs["email"] = "Enter an email address like name@company.com."
	}
	if n.Name == "" {
		errs["name"] = "Enter the person's name."
	} else if len(n.Name) > 200 {
		errs["name"] = "Keep the name under 200 characters."
	}
	if !ValidRole(n.Role) {
		errs["role"] = "Choose rep, manager or admin."
	}
	if _, err := LoadLocation(n.Timezone); err != nil {
		errs["timezone"] = "Choose a timezone from the list."
	}
	if msg := password.Check(n.Password, n.Email, orgName); msg != "" {
		errs["password"] = msg
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// UserUpdate changes an existing user's role, team and status (admin only).
type UserUpdate struct {
	Role     string
	TeamID   int64
	Disabled bool
}

// ProfileUpdate is what users may change about themselves.
type ProfileUpdate struct {
	Name         string
	Timezone     string
	DigestOptOut bool
}

// UserService manages users and teams. Every method is scoped to the actor's org.
type UserService interface {
	// Authenticate returns the enabled user with this email and password, or
	// EUNAUTHORIZED. It never says which of the two was wrong.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	// UserByID returns an enabled user of the org, or ENOTFOUND.
	UserByID(ctx context.Context, orgID, id int64) (*User, error)
	ListUsers(ctx context.Context, a Actor) ([]*User, error)
	ListTeams(ctx context.Context, a Actor) ([]*Team, error)
	CreateUser(ctx context.Context, a Actor, n NewUser) (*User, error)
	UpdateUser(ctx context.Context, a Actor, id int64, u UserUpdate) error
	CreateTeam(ctx context.Context, a Actor, name string, managerID int64) (*Team, error)
	UpdateProfile(ctx context.Context, a Actor, p ProfileUpdate) error
	ChangePassword(ctx context.Context, a Actor, current, next string) error
}

// LoadLocation loads an IANA timezone, refusing the empty name (which Go maps to UTC silently).
func LoadLocation(name string) (*time.Location, error) {
	if strings.TrimSpace(name) == "" {
		return nil, Errorf(EINVALID, "empty timezone")
	}
	return time.LoadLocation(name)
}

// SignInDecision is the throttle's answer to one sign-in attempt.
type SignInDecision struct {
	// Allowed: check the password. Otherwise answer 429 without checking.
	Allowed bool
	// RetryAfter is, when refused, how long until the limit resets.
	RetryAfter time.Duration
	// Delay is, when allowed, how long to wait before checking: the
	// email has had many attempts lately.
	Delay time.Duration
}

// LoginThrottle counts sign-in attempts, before the password is checked.
type LoginThrottle interface {
	// Reserve counts one attempt on the email from the client address and
	// decides whether it may go on.
	Reserve(ctx context.Context, email, addr string) (SignInDecision, error)
	// Succeeded records that the attempt signed in.
	Succeeded(ctx context.Context, email, addr string) error
}
