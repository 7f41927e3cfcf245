package lifecycle

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/campusguard/campusguard/alerting"
)

var (
	bucketAlerts   = []byte("alerts")
	bucketSilences = []byte("silences")
)

// BoltStore is the production Store: one bbolt file with the buckets
// "alerts" and "silences", keyed by id, JSON values. Every write is one
// transaction synced to disk before it returns; the Manager groups the
// changes made while a write was in flight into the next transaction.
type BoltStore struct {
	db *bolt.DB
}

// OpenBolt opens or creates the store file at path. It fails after a
// second if another process holds the file.
func OpenBolt(path string) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("lifecycle: open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAlerts, bucketSilences} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("lifecycle: open store %s: create buckets: %w", path, err)
	}
	return &BoltStore{db: db}, nil
}

// Put stores a.
func (s *BoltStore) Put(a alerting.Alert) error {
	return s.writeBatch([]pendingOp{{op: storeOp{kind: opPutAlert, alert: a}}})
}

// Delete removes the alert with id, if any.
func (s *BoltStore) Delete(id string) error {
	return s.writeBatch([]pendingOp{{op: storeOp{kind: opDeleteAlert, id: id}}})
}

// PutSilence stores si.
func (s *BoltStore) PutSilence(si Silence) error {
	return s.writeBatch([]pendingOp{{op: storeOp{kind: opPutSilence, silence: &si}}})
}

// DeleteSilence removes the silence with id, if any.
func (s *BoltStore) DeleteSilence(id string) error {
	return s.writeBatch([]pendingOp{{op: storeOp{kind: opDeleteSilence, id: id}}})
}

// writeBatch applies ops (but those marked noStore) in order in one
// transaction.
func (s *BoltStore) writeBatch(ops []pendingOp) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		alerts, silences := tx.Bucket(bucketAlerts), tx.Bucket(bucketSilences)
		for i := range ops {
			if ops[i].noStore {
				continue
			}
			op := &ops[i].op
			var err error
			switch op.kind {
			case opPutAlert:
				var v []byte
				if v, err = json.Marshal(&op.alert); err == nil {
					err = alerts.Put([]byte(op.alert.ID), v)
				}
			case opDeleteAlert:
				err = alerts.Delete([]byte(op.id))
			case opPutSilence:
				var v []byte
				if v, err = json.Marshal(op.silence); err == nil {
					err = silences.Put([]byte(op.silence.ID), v)
				}
			case opDeleteSilence:
				err = silences.Delete([]byte(op.id))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lifecycle: store write: %w", err)
	}
	return nil
}

// Load returns every stored alert and silence. A record that does not
// decode is an error: the file is ours, so it means corruption.
func (s *BoltStore) Load() ([]alerting.Alert, []Silence, error) {
	var as []alerting.Alert
	var ss []Silence
	err := s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketAlerts).ForEach(func(k, v []byte) error {
			var a alerting.Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("alert %s: %w", k, err)
			}
			as = append(as, a)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketSilences).ForEach(func(k, v []byte) error {
			var si Silence
			if err := json.Unmarshal(v, &si); err != nil {
				return fmt.Errorf("silence %s: %w", k, err)
			}
			ss = append(ss, si)
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("lifecycle: store load: %w", err)
	}
	return as, ss, nil
}

// Close closes the file.
func (s *BoltStore) Close() error { return s.db.Close() }
