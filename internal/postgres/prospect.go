package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// ProspectService implements pipeline.ProspectService.
type ProspectService struct{ db *DB }

// NewProspectService returns a ProspectService on db.
func NewProspectService(db *DB) *ProspectService { return &ProspectService{db: db} }

var _ pipeline.ProspectService = (*ProspectService)(nil)

// refreshSearch rebuilds the text prospect search matches: the name, the
// website and every contact's name and email, lower-cased for the trigram index.
const refreshSearch = `
	UPDATE prospects p SET search = lower(concat_ws(' ', p.name, p.website,
		(SELECT string_agg(concat_ws(' ', c.name, c.email), ' ') FROM contacts c WHERE c.prospect_id = p.id AND c.org_id = p.org_id)))
	WHERE p.org_id = $1 AND p.id = $2`

// CreateProspect adds a prospect owned by the actor, with an optional first contact.
func (s *ProspectService) CreateProspect(ctx context.Context, a pipeline.Actor, in pipeline.ProspectInput, contact *pipeline.ContactInput) (*pipeline.Prospect, error) {
	errs := in.Validate()
	if contact != nil && !contact.Empty() {
		for k, v := range contact.Validate() {
			if errs == nil {
				errs = map[string]string{}
			}
			errs[k] = v
		}
	}
	if errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	p := &pipeline.Prospect{OrgID: a.OrgID, Name: in.Name, Website: in.Website, Industry: in.Industry, Notes: in.Notes, OwnerID: a.UserID}
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		id, replay, err := claimKey(ctx, tx, a, "prospect", in.Key)
		if err != nil {
			return err
		} else if replay {
			p.ID = id
			return nil
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO prospects (org_id, name, website, industry, notes, owner_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id, created_at`,
			a.OrgID, in.Name, in.Website, in.Industry, in.Notes, a.UserID, s.db.Now()).Scan(&p.ID, &p.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert prospect: %w", err)
		}
		if contact != nil && !contact.Empty() {
			c, err := insertContact(ctx, tx, a, p.ID, *contact)
			if err != nil {
				return err
			}
			p.Contacts = append(p.Contacts, c)
		}
		if _, err := tx.Exec(ctx, refreshSearch, a.OrgID, p.ID); err != nil {
			return fmt.Errorf("index prospect %d: %w", p.ID, err)
		}
		if err := keyRecord(ctx, tx, a, in.Key, p.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "create", "prospect", p.ID, nil, in)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func insertContact(ctx context.Context, tx pgx.Tx, a pipeline.Actor, prospectID int64, in pipeline.ContactInput) (*pipeline.Contact, error) {
	c := &pipeline.Contact{ProspectID: prospectID, Name: in.Name, Email: in.Email, Phone: in.Phone, Title: in.Title}
	err := tx.QueryRow(ctx, `
		INSERT INTO contacts (org_id, prospect_id, name, email, phone, title)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		a.OrgID, prospectID, in.Name, in.Email, in.Phone, in.Title).Scan(&c.ID)
	if err != nil {
		return nil, fmt.Errorf("insert contact: %w", err)
	}
	if err := audit(ctx, tx, a, "create", "contact", c.ID, nil, in); err != nil {
		return nil, err
	}
	return c, nil
}

// AddContact adds a contact to a prospect of the actor's org.
func (s *ProspectService) AddContact(ctx context.Context, a pipeline.Actor, prospectID int64, in pipeline.ContactInput) (*pipeline.Contact, error) {
	if errs := in.Validate(); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	var c *pipeline.Contact
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM prospects WHERE id = $1 AND org_id = $2)`, prospectID, a.OrgID).Scan(&ok); err != nil {
			return fmt.Errorf("prospect %d: %w", prospectID, err)
		}
		if !ok {
			return notFound("prospect")
		}
		id, replay, err := claimKey(ctx, tx, a, "contact", in.Key)
		if err != nil {
			return err
		} else if replay {
			c = &pipeline.Contact{ID: id, ProspectID: prospectID, Name: in.Name, Email: in.Email, Phone: in.Phone, Title: in.Title}
			return nil
		}
		if c, err = insertContact(ctx, tx, a, prospectID, in); err != nil {
			return err
		}
		if err := keyRecord(ctx, tx, a, in.Key, c.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, refreshSearch, a.OrgID, prospectID); err != nil {
			return fmt.Errorf("index prospect %d: %w", prospectID, err)
		}
		return nil
	})
	return c, err
}

// Prospect returns a prospect of the actor's org with its contacts.
func (s *ProspectService) Prospect(ctx context.Context, a pipeline.Actor, id int64) (*pipeline.Prospect, error) {
	var b pgx.Batch
	b.Queue(`SELECT p.id, p.org_id, p.name, p.website, p.industry, p.notes, p.owner_id, u.name, p.created_at
		FROM prospects p JOIN users u ON u.org_id = p.org_id AND u.id = p.owner_id WHERE p.id = $1 AND p.org_id = $2`, id, a.OrgID)
	b.Queue(`SELECT c.id, c.prospect_id, c.name, c.email, c.phone, c.title FROM contacts c
		WHERE c.prospect_id = $1 AND c.org_id = $2 ORDER BY lower(c.name), c.id`, id, a.OrgID)
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	var p pipeline.Prospect
	err := res.QueryRow().Scan(&p.ID, &p.OrgID, &p.Name, &p.Website, &p.Industry, &p.Notes, &p.OwnerID, &p.OwnerName, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("prospect")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("prospect %d: %w", id, err))
	}
	if p.Contacts, err = scanContacts(res); err != nil {
		return nil, wrapConn(fmt.Errorf("prospect %d contacts: %w", id, err))
	}
	return &p, nil
}

// ProspectDeals returns the deals on a prospect that the actor may see.
func (s *ProspectService) ProspectDeals(ctx context.Context, a pipeline.Actor, id int64) ([]*pipeline.Deal, error) {
	var qa args
	rows, err := s.db.Pool.Query(ctx, `SELECT `+dealColumns+` FROM `+dealJoins+` WHERE d.prospect_id = `+qa.add(id)+
		` AND `+dealScope(a, &qa)+` ORDER BY d.id DESC LIMIT 200`, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("prospect %d deals: %w", id, err))
	}
	return collectDeals(rows)
}

// ProspectTouches returns the touches on a prospect that the actor may see:
// those on deals they may see, and those logged without a deal.
func (s *ProspectService) ProspectTouches(ctx context.Context, a pipeline.Actor, id int64, limit int) ([]*pipeline.Touch, error) {
	var qa args
	pid := qa.add(id)
	org := qa.add(a.OrgID)
	rows, err := s.db.Pool.Query(ctx, `
		SELECT t.id, coalesce(t.deal_id, 0), coalesce(d.title, ''), t.prospect_id, coalesce(t.contact_id, 0), coalesce(c.name, ''),
			t.rep_id, r.name, t.kind, t.direction, t.occurred_at, t.outcome, t.duration_min, t.quote_amount, t.word_count, t.notes, t.created_at
		FROM touches t
		JOIN users r ON r.org_id = t.org_id AND r.id = t.rep_id
		LEFT JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
		LEFT JOIN deals d ON d.org_id = t.org_id AND d.id = t.deal_id
		WHERE t.prospect_id = `+pid+` AND t.org_id = `+org+`
			AND (t.deal_id IS NULL OR EXISTS (SELECT 1 FROM deals d WHERE d.org_id = t.org_id AND d.id = t.deal_id AND `+dealScope(a, &qa)+`))
		ORDER BY t.occurred_at DESC, t.id DESC LIMIT `+qa.add(limit), qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("prospect %d touches: %w", id, err))
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Touch, error) {
		var t pipeline.Touch
		return &t, r.Scan(&t.ID, &t.DealID, &t.DealTitle, &t.ProspectID, &t.ContactID, &t.ContactName, &t.RepID, &t.RepName,
			&t.Kind, &t.Direction, &t.OccurredAt, &t.Outcome, &t.DurationMin, &t.QuoteAmount, &t.WordCount, &t.Notes, &t.CreatedAt)
	})
}

// searchCap bounds how many matches of a search are sorted for one page.
const searchCap = 1000

// SearchProspects lists the org's prospects by name, optionally matching q
// against names, websites and contacts. The cursor is "<lower name>\x00<id>"
// of the last row shown.
//
// With q, the matches come from the trigram index first (a subquery with a
// LIMIT, so the planner cannot walk the name index and filter 100,000 rows
// for a rare fragment), capped at searchCap: when more match, a page is the
// first names among those found, and typing more narrows it.
func (s *ProspectService) SearchProspects(ctx context.Context, a pipeline.Actor, q, after string, limit int) ([]*pipeline.Prospect, string, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var qa args
	where := []string{"p.org_id = " + qa.add(a.OrgID)}
	if name, idText, ok := strings.Cut(after, "\x00"); ok {
		if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
			where = append(where, "(lower(p.name), p.id) > ("+qa.add(name)+", "+qa.add(id)+")")
		}
	}
	from := "prospects p"
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		where = append(where, "p.search LIKE "+qa.add("%"+escapeLike(q)+"%"))
		from = `(SELECT p.* FROM prospects p WHERE ` + strings.Join(where, " AND ") + ` LIMIT ` + qa.add(searchCap) + `) p`
		where = []string{"true"}
	}
	sql := `SELECT p.id, p.org_id, p.name, p.website, p.industry, p.owner_id, u.name, p.created_at
		FROM ` + from + ` JOIN users u ON u.org_id = p.org_id AND u.id = p.owner_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY lower(p.name), p.id LIMIT ` + qa.add(limit+1)
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return nil, "", wrapConn(fmt.Errorf("search prospects: %w", err))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Prospect, error) {
		var p pipeline.Prospect
		return &p, r.Scan(&p.ID, &p.OrgID, &p.Name, &p.Website, &p.Industry, &p.OwnerID, &p.OwnerName, &p.CreatedAt)
	})
	if err != nil {
		return nil, "", wrapConn(fmt.Errorf("search prospects: %w", err))
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		next = strings.ToLower(last.Name) + "\x00" + strconv.FormatInt(last.ID, 10)
	}
	return list, next, nil
}
