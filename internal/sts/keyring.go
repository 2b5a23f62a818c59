package sts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
)

// DefaultRotation is how long the newest key of a key ring signs new
// tokens before a fresh one replaces it.
const DefaultRotation = 24 * time.Hour

// MaxSessionDuration is the longest session any STS action issues
// (GetSessionToken and GetFederationToken: 36 hours). A retired key opens
// tokens for that long after it stopped signing.
const MaxSessionDuration = 129600 * time.Second

// DefaultReloadInterval is the least time between two reloads of the key
// ring caused by tokens naming a key this process does not know.
const DefaultReloadInterval = 5 * time.Second

// keyIDLen is the size of a key id inside a token (its store ID is the hex).
const keyIDLen = 8

// ringKey is one opened key of the ring.
type ringKey struct {
	id       [keyIDLen]byte
	aead     cipher.AEAD
	created  time.Time
	notAfter time.Time
}

// KeyRing holds the keys that seal session tokens. Keys live in the store
// (material sealed under the key-encryption key, the entry's id as
// associated data), so replicas share them and they survive restarts. The
// newest key seals; every key opens until its NotAfter, created + rotation +
// MaxSessionDuration, after which it is deleted.
type KeyRing struct {
	store    keyward.Store
	kek      *seal.Key
	rotation time.Duration
	reload   time.Duration
	clock    func() time.Time

	mu         sync.RWMutex
	keys       map[[keyIDLen]byte]*ringKey
	newest     *ringKey
	lastReload time.Time

	rotateMu sync.Mutex // one rotation at a time in this process
}

// KeyRingConfig configures a KeyRing. Store and KEK are required.
type KeyRingConfig struct {
	Store keyward.Store
	KEK   *seal.Key
	// Rotation is how long a key signs; 0 means DefaultRotation.
	Rotation time.Duration
	// ReloadInterval bounds reloads for unknown key ids; 0 means
	// DefaultReloadInterval, a negative value reloads every time.
	ReloadInterval time.Duration
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
}

// NewKeyRing loads the ring from the store, creating its first key (or a
// fresh one when the newest is due for rotation) and deleting keys past
// their NotAfter.
func NewKeyRing(ctx context.Context, cfg KeyRingConfig) (*KeyRing, error) {
	if cfg.Store == nil || cfg.KEK == nil {
		return nil, errors.New("sts: a key ring needs a store and a key-encryption key")
	}
	r := &KeyRing{store: cfg.Store, kek: cfg.KEK, rotation: cfg.Rotation, reload: cfg.ReloadInterval, clock: cfg.Clock}
	if r.rotation <= 0 {
		r.rotation = DefaultRotation
	}
	if r.reload == 0 {
		r.reload = DefaultReloadInterval
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if err := r.Rotate(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func keyAD(id string) []byte { return []byte("keyward:keyring:" + id) }

// Rotate brings the ring up to date: it deletes expired keys and creates a
// key when none is younger than the rotation period, then reloads. Replicas
// that rotate at once each check inside the transaction, so normally only
// one key is added; two would be harmless.
func (r *KeyRing) Rotate(ctx context.Context) error {
	r.rotateMu.Lock()
	defer r.rotateMu.Unlock()
	now := r.clock()
	var entries []keyward.KeyRingEntry
	err := r.store.Update(ctx, func(tx keyward.Tx) error {
		all, err := tx.ListKeyRingEntries()
		if err != nil {
			return err
		}
		entries = entries[:0]
		fresh := false
		for _, e := range all {
			if !now.Before(e.NotAfter) {
				if err := tx.DeleteKeyRingEntry(e.ID); err != nil {
					return err
				}
				continue
			}
			if now.Sub(e.CreateDate) < r.rotation {
				fresh = true
			}
			entries = append(entries, e)
		}
		if fresh {
			return nil
		}
		var id [keyIDLen]byte
		rand.Read(id[:])
		hid := hex.EncodeToString(id[:])
		created := now.UTC().Truncate(time.Second)
		e := keyward.KeyRingEntry{
			ID:         hid,
			Material:   r.kek.Seal(seal.GenerateKey(), keyAD(hid)),
			CreateDate: created,
			NotAfter:   created.Add(r.rotation + MaxSessionDuration),
		}
		if err := tx.CreateKeyRingEntry(e); err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("sts: rotating the key ring: %w", err)
	}
	return r.install(entries, now)
}

// Reload reads the ring from the store without changing it.
func (r *KeyRing) Reload(ctx context.Context) error {
	var entries []keyward.KeyRingEntry
	err := r.store.View(ctx, func(tx keyward.Tx) error {
		var err error
		entries, err = tx.ListKeyRingEntries()
		return err
	})
	if err != nil {
		return fmt.Errorf("sts: loading the key ring: %w", err)
	}
	return r.install(entries, r.clock())
}

// install opens entries and makes them the ring.
func (r *KeyRing) install(entries []keyward.KeyRingEntry, now time.Time) error {
	keys := make(map[[keyIDLen]byte]*ringKey, len(entries))
	var newest *ringKey
	for _, e := range entries {
		raw, err := hex.DecodeString(e.ID)
		if err != nil || len(raw) != keyIDLen {
			continue // not a key of ours
		}
		material, err := r.kek.Open(e.Material, keyAD(e.ID))
		if err != nil {
			return fmt.Errorf("sts: key ring entry %s does not open: wrong key-encryption key or a tampered row", e.ID)
		}
		block, err := aes.NewCipher(material)
		if err != nil {
			return fmt.Errorf("sts: key ring entry %s: %w", e.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		k := &ringKey{aead: aead, created: e.CreateDate, notAfter: e.NotAfter}
		copy(k.id[:], raw)
		keys[k.id] = k
		if newest == nil || !k.created.Before(newest.created) {
			newest = k
		}
	}
	r.mu.Lock()
	r.keys, r.newest, r.lastReload = keys, newest, now
	r.mu.Unlock()
	return nil
}

// signer returns the key to seal with, rotating first when it is due.
func (r *KeyRing) signer(ctx context.Context, now time.Time) (*ringKey, error) {
	r.mu.RLock()
	k := r.newest
	r.mu.RUnlock()
	if k != nil && now.Sub(k.created) < r.rotation {
		return k, nil
	}
	if err := r.Rotate(ctx); err != nil {
		return nil, err
	}
	r.mu.RLock()
	k = r.newest
	r.mu.RUnlock()
	if k == nil {
		return nil, errors.New("sts: the key ring is empty after rotation")
	}
	return k, nil
}

// opener returns the key with id, reloading the ring (at most once per
// reload interval) when it is unknown: another replica may have rotated.
func (r *KeyRing) opener(id [keyIDLen]byte, now time.Time) *ringKey {
	r.mu.RLock()
	k := r.keys[id]
	last := r.lastReload
	r.mu.RUnlock()
	if k != nil {
		return k
	}
	if r.reload > 0 && now.Sub(last) < r.reload && !now.Before(last) {
		return nil
	}
	r.mu.Lock()
	r.lastReload = now // rate-limit even when the reload fails
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Reload(ctx); err != nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[id]
}

// KeyIDs returns the store IDs of the keys the ring holds, oldest first.
func (r *KeyRing) KeyIDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var ks []*ringKey
	for _, k := range r.keys {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j].created.Before(ks[j-1].created); j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = hex.EncodeToString(k.id[:])
	}
	return ids
}
