package postgres_test

import (
	"slices"
	"testing"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

func TestUserService_Create(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	users := postgres.NewUserService(f.db)
	valid := func(email string) pipeline.NewUser {
		return pipeline.NewUser{Email: email, Name: " Casey Rep ", Role: pipeline.RoleRep, Timezone: "Europe/Paris", Password: "goodmoney"}
	}
	t.Run("OK", func(t *testing.T) {
		u, err := users.CreateUser(f.ctx, f.admin, valid(" Casey@Test.Example "))
		if err != nil {
			t.Fatal(err)
		}
		got, err := users.UserByID(f.ctx, u.OrgID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != "casey@test.example" || got.Name != "Casey Rep" || got.Role != pipeline.RoleRep || got.OrgID != f.orgID ||
			got.Timezone != "Europe/Paris" || got.Disabled || got.TeamID != 0 {
			t.Errorf("stored %+v", got)
		}
		signedIn, err := users.Authenticate(f.ctx, "CASEY@test.example", "goodmoney")
		if err != nil || signedIn.ID != u.ID {
			t.Errorf("sign in with the new password: %+v, %v", signedIn, err)
		}
	})
	t.Run("ErrEmailTaken", func(t *testing.T) {
		if _, err := users.CreateUser(f.ctx, f.admin, valid("twice@test.example")); err != nil {
			t.Fatal(err)
		}
		_, err := users.CreateUser(f.ctx, f.admin, valid("TWICE@test.example"))
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["email"] == "" {
			t.Errorf("field errors %v, want email", fields)
		}
	})
	t.Run("ErrNameRequired", func(t *testing.T) {
		in := valid("noname@test.example")
		in.Name = "  "
		_, err := users.CreateUser(f.ctx, f.admin, in)
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["name"] == "" || len(fields) != 1 {
			t.Errorf("field errors %v, want name only", fields)
		}
	})
	t.Run("ErrTeamOfAnotherOrg", func(t *testing.T) {
		s := newScopeFixture(t)
		theirs, err := postgres.NewUserService(s.db).CreateTeam(s.ctx, s.stranger, "Theirs", 0)
		if err != nil {
			t.Fatal(err)
		}
		in := valid("misplaced@test.example")
		in.TeamID = theirs.ID
		_, err = postgres.NewUserService(s.db).CreateUser(s.ctx, s.admin, in)
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["team_id"] == "" {
			t.Errorf("field errors %v, want team_id", fields)
		}
	})
	t.Run("ErrForbiddenToNonAdmins", func(t *testing.T) {
		for _, a := range []pipeline.Actor{f.manager, f.rep} {
			_, err := users.CreateUser(f.ctx, a, valid(a.Role+"-made@test.example"))
			wantCode(t, err, pipeline.EFORBIDDEN)
		}
	})
}

func TestUserService_Update(t *testing.T) {
	t.Parallel()
	s := newScopeFixture(t)
	users := postgres.NewUserService(s.db)
	t.Run("OK", func(t *testing.T) {
		if err := users.UpdateUser(s.ctx, s.admin, s.outsider.UserID, pipeline.UserUpdate{Role: pipeline.RoleManager}); err != nil {
			t.Fatal(err)
		}
		got, err := users.UserByID(s.ctx, s.outsider.OrgID, s.outsider.UserID)
		if err != nil || got.Role != pipeline.RoleManager {
			t.Errorf("after promotion: %+v, %v", got, err)
		}
	})
	t.Run("DisableEndsSessions", func(t *testing.T) {
		before, err := users.Authenticate(s.ctx, "outsider@test.example", "goodmoney")
		if err != nil {
			t.Fatal(err)
		}
		if err := users.UpdateUser(s.ctx, s.admin, s.outsider.UserID, pipeline.UserUpdate{Role: pipeline.RoleRep, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		_, err = users.UserByID(s.ctx, s.outsider.OrgID, s.outsider.UserID)
		wantCode(t, err, pipeline.ENOTFOUND)
		_, err = users.Authenticate(s.ctx, "outsider@test.example", "goodmoney")
		wantCode(t, err, pipeline.EUNAUTHORIZED)
		var epoch int
		if err := s.db.Pool.QueryRow(s.ctx, `SELECT session_epoch FROM users WHERE id = $1`, s.outsider.UserID).Scan(&epoch); err != nil {
			t.Fatal(err)
		}
		if epoch != before.SessionEpoch+1 {
			t.Errorf("session epoch %d after disabling, want %d", epoch, before.SessionEpoch+1)
		}
	})
	t.Run("ErrDemoteSelf", func(t *testing.T) {
		err := users.UpdateUser(s.ctx, s.admin, s.admin.UserID, pipeline.UserUpdate{Role: pipeline.RoleRep})
		wantCode(t, err, pipeline.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := users.UpdateUser(s.ctx, s.admin, s.outsider.UserID+1_000_000, pipeline.UserUpdate{Role: pipeline.RoleRep})
		wantCode(t, err, pipeline.ENOTFOUND)
		_, err = users.UserByID(s.ctx, s.outsider.OrgID, s.outsider.UserID+1_000_000)
		wantCode(t, err, pipeline.ENOTFOUND)
	})
	t.Run("ErrUserOfAnotherOrg", func(t *testing.T) {
		err := users.UpdateUser(s.ctx, s.stranger, s.rep.UserID, pipeline.UserUpdate{Role: pipeline.RoleAdmin})
		wantCode(t, err, pipeline.ENOTFOUND)
		got, err := users.UserByID(s.ctx, s.rep.OrgID, s.rep.UserID)
		if err != nil || got.Role != pipeline.RoleRep {
			t.Errorf("rep after another org's admin tried a promotion: %+v, %v", got, err)
		}
		// A session names its org: the rep's id under another org is nobody.
		_, err = users.UserByID(s.ctx, s.stranger.OrgID, s.rep.UserID)
		wantCode(t, err, pipeline.ENOTFOUND)
	})
	t.Run("ErrForbiddenToNonAdmins", func(t *testing.T) {
		err := users.UpdateUser(s.ctx, s.manager, s.rep.UserID, pipeline.UserUpdate{Role: pipeline.RoleManager})
		wantCode(t, err, pipeline.EFORBIDDEN)
	})
}

// TestUserService_Scope: lists of users and teams hold the actor's org only.
func TestUserService_Scope(t *testing.T) {
	t.Parallel()
	s := newScopeFixture(t)
	users := postgres.NewUserService(s.db)
	emails := func(a pipeline.Actor) []string {
		t.Helper()
		list, err := users.ListUsers(s.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range list {
			out = append(out, u.Email)
		}
		slices.Sort(out)
		return out
	}
	ours := []string{"admin@test.example", "manager@test.example", "outsider@test.example", "rep@test.example"}
	if got := emails(s.admin); !slices.Equal(got, ours) {
		t.Errorf("admin lists %v, want %v", got, ours)
	}
	if got := emails(s.stranger); !slices.Equal(got, []string{"admin@other.example"}) {
		t.Errorf("other org lists %v, want its admin only", got)
	}
	teams, err := users.ListTeams(s.ctx, s.stranger)
	if err != nil || len(teams) != 0 {
		t.Errorf("other org lists teams %v (%v), want none", teams, err)
	}
	teams, err = users.ListTeams(s.ctx, s.admin)
	if err != nil || len(teams) != 1 || teams[0].Name != "East" || teams[0].ManagerID != s.manager.UserID || teams[0].ManagerName != "Test manager" {
		t.Errorf("teams %+v (%v), want East led by the manager", teams, err)
	}
}
