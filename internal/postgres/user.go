package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/password"
	"goodmoney/internal/pipeline"
)

// UserService implements pipeline.UserService.
type UserService struct{ db *DB }

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ pipeline.UserService = (*UserService)(nil)

const userColumns = `u.id, u.org_id, u.email, u.name, u.password_hash, u.role, u.team_id,
	coalesce(t.name, ''), u.timezone, u.digest_opt_out, u.disabled, u.session_epoch, u.created_at`

func scanUser(row pgx.Row) (*pipeline.User, error) {
	var u pipeline.User
	var teamID *int64
	err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &teamID,
		&u.TeamName, &u.Timezone, &u.DigestOptOut, &u.Disabled, &u.SessionEpoch, &u.CreatedAt)
	u.TeamID = idOrZero(teamID)
	return &u, err
}

// dummyHash is verified when the email is unknown so that a failed sign-in
// takes as long whether or not the account exists.
var dummyHash, _ = password.Hash("not-a-real-password-just-timing")

// Authenticate returns the enabled user with this email and password, or EUNAUTHORIZED.
func (s *UserService) Authenticate(ctx context.Context, email, pw string) (*pipeline.User, error) {
	u, err := scanUser(s.db.Pool.QueryRow(ctx, `SELECT `+userColumns+`
		FROM users u LEFT JOIN teams t ON t.org_id = u.org_id AND t.id = u.team_id
		WHERE lower(u.email) = lower($1)`, strings.TrimSpace(email)))
	bad := pipeline.Errorf(pipeline.EUNAUTHORIZED, "That email and password do not match an active account.")
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = password.Verify(pw, dummyHash)
		return nil, bad
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("authenticate: %w", err))
	}
	ok, err := password.Verify(pw, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("authenticate user %d: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return nil, bad
	}
	return u, nil
}

// UserByID returns an enabled user of the org, or ENOTFOUND. The org
// leads every key (users_pkey is (org_id, id)): by id alone the lookup
// would read the whole table.
func (s *UserService) UserByID(ctx context.Context, orgID, id int64) (*pipeline.User, error) {
	u, err := scanUser(s.db.Pool.QueryRow(ctx, `SELECT `+userColumns+`
		FROM users u LEFT JOIN teams t ON t.org_id = u.org_id AND t.id = u.team_id
		WHERE u.org_id = $1 AND u.id = $2 AND NOT u.disabled`, orgID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("user %d: %w", id, err))
	}
	return u, nil
}

// ListUsers returns the org's users, by name.
func (s *UserService) ListUsers(ctx context.Context, a pipeline.Actor) ([]*pipeline.User, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT `+userColumns+`
		FROM users u LEFT JOIN teams t ON t.org_id = u.org_id AND t.id = u.team_id
		WHERE u.org_id = $1 ORDER BY u.disabled, lower(u.name), u.id`, a.OrgID)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("list users: %w", err))
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// ListTeams returns the org's teams with their managers' names.
func (s *UserService) ListTeams(ctx context.Context, a pipeline.Actor) ([]*pipeline.Team, error) {
	rows, err := s.db.Pool.Query(ctx, `
		SELECT t.id, t.org_id, t.name, t.manager_id, coalesce(m.name, '')
		FROM teams t LEFT JOIN users m ON m.org_id = t.org_id AND m.id = t.manager_id
		WHERE t.org_id = $1 ORDER BY lower(t.name)`, a.OrgID)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("list teams: %w", err))
	}
	teams, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Team, error) {
		var t pipeline.Team
		var mgr *int64
		err := r.Scan(&t.ID, &t.OrgID, &t.Name, &mgr, &t.ManagerName)
		t.ManagerID = idOrZero(mgr)
		return &t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return teams, nil
}

func requireAdmin(a pipeline.Actor) error {
	if !a.IsAdmin() {
		return pipeline.Errorf(pipeline.EFORBIDDEN, "Only an admin can do that.")
	}
	return nil
}

// CreateUser adds a user to the actor's org (admin only).
func (s *UserService) CreateUser(ctx context.Context, a pipeline.Actor, n pipeline.NewUser) (*pipeline.User, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	n.Normalize()
	org, err := orgName(ctx, s.db.Pool, a.OrgID)
	if err != nil {
		return nil, err
	}
	if errs := n.Validate(org); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	hash, err := password.Hash(n.Password)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.Transact(ctx, func(tx pgx.Tx) error {
		id, err = insertUser(ctx, tx, a, n, hash)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &pipeline.User{ID: id, OrgID: a.OrgID, Email: n.Email, Name: n.Name, Role: n.Role, TeamID: n.TeamID, Timezone: n.Timezone}, nil
}

// checkTeam returns EINVALID unless teamID is 0 or a team of the org.
func checkTeam(ctx context.Context, tx pgx.Tx, orgID, teamID int64) error {
	if teamID == 0 {
		return nil
	}
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1 AND org_id = $2)`, teamID, orgID).Scan(&ok)
	if err != nil {
		return fmt.Errorf("check team %d: %w", teamID, err)
	}
	if !ok {
		return pipeline.Invalid(map[string]string{"team_id": "Choose a team from the list."})
	}
	return nil
}

// UpdateUser changes a user's role, team and status (admin only). Disabling
// bumps the session epoch, which ends every session the user has.
func (s *UserService) UpdateUser(ctx context.Context, a pipeline.Actor, id int64, up pipeline.UserUpdate) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	if !pipeline.ValidRole(up.Role) {
		return pipeline.Invalid(map[string]string{"role": "Choose rep, manager or admin."})
	}
	if id == a.UserID && (up.Disabled || up.Role != pipeline.RoleAdmin) {
		return pipeline.Invalid(map[string]string{"role": "You cannot demote or disable yourself; ask another admin."})
	}
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		if err := checkTeam(ctx, tx, a.OrgID, up.TeamID); err != nil {
			return err
		}
		var before pipeline.UserUpdate
		var teamID *int64
		err := tx.QueryRow(ctx, `SELECT role, team_id, disabled FROM users WHERE id = $1 AND org_id = $2 FOR UPDATE`,
			id, a.OrgID).Scan(&before.Role, &teamID, &before.Disabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("user")
		} else if err != nil {
			return fmt.Errorf("load user %d: %w", id, err)
		}
		before.TeamID = idOrZero(teamID)
		_, err = tx.Exec(ctx, `
			UPDATE users SET role = $3, team_id = $4, disabled = $5,
				session_epoch = session_epoch + CASE WHEN $5 AND NOT disabled THEN 1 ELSE 0 END
			WHERE id = $1 AND org_id = $2`, id, a.OrgID, up.Role, nullID(up.TeamID), up.Disabled)
		if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		return audit(ctx, tx, a, "update", "user", id, before, up)
	})
}

// CreateTeam adds a team, optionally with its manager (admin only).
func (s *UserService) CreateTeam(ctx context.Context, a pipeline.Actor, name string, managerID int64) (*pipeline.Team, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, pipeline.Invalid(map[string]string{"name": "Enter a team name (up to 100 characters)."})
	}
	t := &pipeline.Team{OrgID: a.OrgID, Name: name, ManagerID: managerID}
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO teams (org_id, name, manager_id)
			SELECT $1, $2, $3
			WHERE $3::bigint IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $3 AND org_id = $1 AND role <> 'rep')
			RETURNING id`, a.OrgID, name, nullID(managerID)).Scan(&t.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return pipeline.Invalid(map[string]string{"manager_id": "Choose a manager from the list."})
		} else if isUniqueViolation(err) {
			return pipeline.Invalid(map[string]string{"name": "A team with this name exists already."})
		} else if err != nil {
			return fmt.Errorf("insert team: %w", err)
		}
		if managerID != 0 {
			// A manager belongs to the team they lead unless already placed elsewhere.
			if _, err := tx.Exec(ctx, `UPDATE users SET team_id = $1 WHERE org_id = $3 AND id = $2 AND team_id IS NULL`, t.ID, managerID, a.OrgID); err != nil {
				return fmt.Errorf("place manager: %w", err)
			}
		}
		return audit(ctx, tx, a, "create", "team", t.ID, nil, map[string]any{"name": name, "manager_id": managerID})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateProfile changes the actor's own name, timezone and digest preference.
func (s *UserService) UpdateProfile(ctx context.Context, a pipeline.Actor, p pipeline.ProfileUpdate) error {
	p.Name = strings.TrimSpace(p.Name)
	errs := map[string]string{}
	if p.Name == "" || len(p.Name) > 200 {
		errs["name"] = "Enter your name (up to 200 characters)."
	}
	if _, err := pipeline.LoadLocation(p.Timezone); err != nil {
		errs["timezone"] = "Choose a timezone from the list."
	}
	if len(errs) > 0 {
		return pipeline.Invalid(errs)
	}
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET name = $3, timezone = $4, digest_opt_out = $5 WHERE id = $1 AND org_id = $2`,
			a.UserID, a.OrgID, p.Name, p.Timezone, p.DigestOptOut)
		if err != nil {
			return fmt.Errorf("update profile: %w", err)
		}
		return audit(ctx, tx, a, "update_profile", "user", a.UserID, nil, p)
	})
}

// ChangePassword replaces the actor's password after checking the current one.
// It bumps the session epoch: the caller renews the current session.
func (s *UserService) ChangePassword(ctx context.Context, a pipeline.Actor, current, next string) error {
	var hash, email, org string
	err := s.db.Pool.QueryRow(ctx, `
		SELECT u.password_hash, u.email, o.name FROM users u JOIN orgs o ON o.id = u.org_id
		WHERE u.id = $1 AND u.org_id = $2`, a.UserID, a.OrgID).Scan(&hash, &email, &org)
	if err != nil {
		return wrapConn(fmt.Errorf("load password: %w", err))
	}
	if ok, _ := password.Verify(current, hash); !ok {
		return pipeline.Invalid(map[string]string{"current_password": "That is not your current password."})
	}
	if msg := password.Check(next, email, org); msg != "" {
		return pipeline.Invalid(map[string]string{"new_password": msg})
	}
	newHash, err := password.Hash(next)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, session_epoch = session_epoch + 1 WHERE id = $1 AND org_id = $2`,
			a.UserID, a.OrgID, newHash)
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return audit(ctx, tx, a, "change_password", "user", a.UserID, nil, nil)
	})
}

// orgName returns the name of an org.
func orgName(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, orgID int64) (string, error) {
	var name string
	if err := q.QueryRow(ctx, `SELECT name FROM orgs WHERE id = $1`, orgID).Scan(&name); err != nil {
		return "", wrapConn(fmt.Errorf("org %d name: %w", orgID, err))
	}
	return name, nil
}

// insertUser adds a validated user to the actor's org, audited.
func insertUser(ctx context.Context, tx pgx.Tx, a pipeline.Actor, n pipeline.NewUser, hash string) (int64, error) {
	if err := checkTeam(ctx, tx, a.OrgID, n.TeamID); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO users (org_id, email, name, password_hash, role, team_id, timezone)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		a.OrgID, n.Email, n.Name, hash, n.Role, nullID(n.TeamID), n.Timezone).Scan(&id)
	if isUniqueViolation(err) {
		return 0, pipeline.Invalid(map[string]string{"email": "Someone already uses this email."})
	} else if err != nil {
		return 0, fmt.Errorf("insert user: %w", err)
	}
	return id, audit(ctx, tx, a, "create", "user", id, nil, map[string]any{"email": n.Email, "role": n.Role, "team_id": n.TeamID})
}
