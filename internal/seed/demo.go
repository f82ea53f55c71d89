// Package seed creates the demo org that lets a newcomer see goodmoney
// working within a minute, and the large benchmark dataset.
package seed

import (
	"context"
	"fmt"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// DemoPassword is the password of every demo login.
const DemoPassword = "goodmoney"

// Login is one demo account.
type Login struct {
	Email, Name, Role, Team string
}

// DemoLogins are fixed so anyone can try the demo.
var DemoLogins = []Login{
	{"admin@example.com", "Avery Admin", pipeline.RoleAdmin, ""},
	{"manager@example.com", "Morgan Manager", pipeline.RoleManager, "East"},
	{"manager2@example.com", "Jordan Lee", pipeline.RoleManager, "West"},
	{"rep@example.com", "Riley Rep", pipeline.RoleRep, "East"},
	{"rep2@example.com", "Sam Ortiz", pipeline.RoleRep, "East"},
	{"rep3@example.com", "Casey Nguyen", pipeline.RoleRep, "West"},
	{"rep4@example.com", "Taylor Brooks", pipeline.RoleRep, "West"},
}

// Demo creates the demo org on an empty database. It reports false, and
// changes nothing, when any org exists already.
func Demo(ctx context.Context, db *postgres.DB) (bool, error) {
	orgs := postgres.NewOrgService(db)
	if _, err := orgs.FirstOrg(ctx); err == nil {
		return false, nil
	} else if pipeline.ErrorCode(err) != pipeline.ENOTFOUND {
		return false, fmt.Errorf("look for an org: %w", err)
	}
	org, err := orgs.CreateOrg(ctx, pipeline.Org{
		Name: "Northwind Supply", Timezone: "America/New_York", Currency: "USD",
		BusinessStart: 9, BusinessEnd: 18,
	})
	if err != nil {
		return false, err
	}
	d := &demo{db: db, org: org, users: map[string]*pipeline.User{}, teams: map[string]int64{}}
	if err := d.people(ctx); err != nil {
		return false, err
	}
	// The histories are replayed without scoring each step: a replay scores
	// every intermediate state as of today, and would open and resolve
	// flags the story never had. The open deals are scored once at the end;
	// closed demo deals have no score at close to show.
	deals := postgres.NewDealService(db, nil)
	// The year's closed deals go first, so they are older than today's
	// deals in every list, as they would be.
	if err := d.closedHistory(ctx); err != nil {
		return false, err
	}
	if err := d.pipelineData(ctx, deals); err != nil {
		return false, err
	}
	if _, err := postgres.NewScoreService(db).RescoreAll(ctx, org.ID); err != nil {
		return false, fmt.Errorf("score demo deals: %w", err)
	}
	return true, nil
}

type demo struct {
	db    *postgres.DB
	org   *pipeline.Org
	users map[string]*pipeline.User // by email
	teams map[string]int64          // by name
}

// people creates the demo users and teams; managers lead the teams.
func (d *demo) people(ctx context.Context) error {
	users := postgres.NewUserService(d.db)
	system := pipeline.Actor{OrgID: d.org.ID, Role: pipeline.RoleAdmin}
	for _, l := range DemoLogins {
		u, err := users.CreateUser(ctx, system, pipeline.NewUser{
			Email: l.Email, Name: l.Name, Role: l.Role, Timezone: d.org.Timezone, Password: DemoPassword,
		})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", l.Email, err)
		}
		d.users[l.Email] = u
	}
	for _, l := range DemoLogins {
		if l.Role == pipeline.RoleManager {
			t, err := users.CreateTeam(ctx, system, l.Team, d.users[l.Email].ID)
			if err != nil {
				return fmt.Errorf("demo team %s: %w", l.Team, err)
			}
			d.teams[l.Team] = t.ID
		}
	}
	for _, l := range DemoLogins {
		if l.Team == "" {
			continue
		}
		u := d.users[l.Email]
		if err := users.UpdateUser(ctx, system, u.ID, pipeline.UserUpdate{Role: u.Role, TeamID: d.teams[l.Team]}); err != nil {
			return fmt.Errorf("demo team member %s: %w", l.Email, err)
		}
		u.TeamID = d.teams[l.Team]
	}
	return nil
}

// AddUser adds a user to the first org, creating the named team when absent.
// It backs the `goodmoney user add` command.
func AddUser(ctx context.Context, db *postgres.DB, n pipeline.NewUser, team string) (*pipeline.User, error) {
	org, err := postgres.NewOrgService(db).FirstOrg(ctx)
	if pipeline.ErrorCode(err) == pipeline.ENOTFOUND {
		org, err = postgres.NewOrgService(db).CreateOrg(ctx, pipeline.Org{Name: "My company"})
	}
	if err != nil {
		return nil, err
	}
	users := postgres.NewUserService(db)
	system := pipeline.Actor{OrgID: org.ID, Role: pipeline.RoleAdmin}
	if team != "" {
		teams, err := users.ListTeams(ctx, system)
		if err != nil {
			return nil, err
		}
		for _, t := range teams {
			if t.Name == team {
				n.TeamID = t.ID
			}
		}
		if n.TeamID == 0 {
			t, err := users.CreateTeam(ctx, system, team, 0)
			if err != nil {
				return nil, err
			}
			n.TeamID = t.ID
		}
	}
	return users.CreateUser(ctx, system, n)
}
