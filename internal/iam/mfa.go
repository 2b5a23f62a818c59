package iam

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/totp"
)

// Virtual MFA devices: TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits),
// seeds sealed at rest (SecretAD("mfa", serial)), a code accepted once
// (the device's LastCounter).

// maxMFADevicesPerUser is AWS's quota of MFA devices assigned to one user.
const maxMFADevicesPerUser = 8

// Windows, in time steps, in which codes are looked for: enabling takes
// two codes the user just read (the second current a step ago at most);
// resynchronizing looks further, for a device whose clock drifted.
const (
	enableWindow = 2
	resyncWindow = 20
)

// mfaARN returns arn:aws:iam::ACCOUNT:mfa/PATH/NAME, a device's serial.
func mfaARN(accountID, path, name string) string { return entityARN(accountID, "mfa", path, name) }

// findDevice reads the caller's account's device with that serial, with
// its tags; another account's devices are invisible.
func (o *op) findDevice(serial string) (*entity, error) {
	e := &entity{kind: keyward.KindMFADevice, arn: serial}
	if !strings.HasPrefix(serial, "arn:aws:iam::"+o.c.AccountID+":mfa/") {
		return e, nil
	}
	d, err := o.GetMFADevice(serial)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.device, e.name = true, d, d.Name
	if e.tags, err = o.ListTags(keyward.MFADeviceRef(serial)); err != nil {
		return nil, err
	}
	return e, nil
}

// deviceSeed opens a device's sealed seed.
func (s *Service) deviceSeed(d keyward.MFADevice) ([]byte, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	return sl.Open(d.SeedCiphertext, SecretAD("mfa", d.SerialNumber))
}

// VirtualMFADevice is AWS's VirtualMFADevice shape. Base32StringSeed and
// QRCodePNG are blobs, base64-encoded on the wire: the seed's base32 text
// and the PNG image.
type VirtualMFADevice struct {
	SerialNumber     string       `xml:"SerialNumber"`
	Base32StringSeed string       `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string       `xml:"QRCodePNG,omitempty"`
	User             *User        `xml:"User,omitempty"`
	EnableDate       Time         `xml:"EnableDate"`
	Tags             Members[Tag] `xml:"Tags,omitempty"`
}

// CreateVirtualMFADeviceInput is CreateVirtualMFADevice's request.
type CreateVirtualMFADeviceInput struct {
	Path                 *string       `query:"Path"`
	VirtualMFADeviceName string        `query:"VirtualMFADeviceName,required"`
	Tags                 []keyward.Tag `query:"Tags"`
}

// CreateVirtualMFADeviceOutput is CreateVirtualMFADevice's result.
type CreateVirtualMFADeviceOutput struct {
	VirtualMFADevice VirtualMFADevice `xml:"VirtualMFADevice"`
}

// CreateVirtualMFADevice makes a virtual MFA device: a random 160-bit
// seed, shown here once as base32 text and as the QR code of its
// otpauth:// URI, which authenticator apps scan. It is stored sealed, and
// the device is unassigned until EnableMFADevice.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, c *keyward.Caller, in *CreateVirtualMFADeviceInput) (*CreateVirtualMFADeviceOutput, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	path := deref(in.Path, "/")
	serial := mfaARN(c.AccountID, path, in.VirtualMFADeviceName)
	seed := totp.NewSeed()
	png, err := totp.QRCodePNG(totp.URI("Keyward "+c.AccountID, in.VirtualMFADeviceName, seed))
	if err != nil {
		return nil, err
	}
	d := keyward.MFADevice{AccountID: c.AccountID, SerialNumber: serial, Path: path, Name: in.VirtualMFADeviceName,
		SeedCiphertext: sl.Seal(seed, SecretAD("mfa", serial)), CreateDate: s.now()}
	var tags []keyward.Tag
	err = s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateVirtualMFADevice", serial, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if err := o.CreateMFADevice(d); err != nil {
			return said(err, keyward.KindMFADevice, serial)
		}
		tags = nil
		if len(in.Tags) == 0 {
			return nil
		}
		if err := o.TagEntity(keyward.MFADeviceRef(serial), in.Tags); err != nil {
			return err
		}
		tags, err = o.ListTags(keyward.MFADeviceRef(serial))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateVirtualMFADeviceOutput{VirtualMFADevice: VirtualMFADevice{
		SerialNumber:     serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(totp.Encoding.EncodeToString(seed))),
		QRCodePNG:        base64.StdEncoding.EncodeToString(png),
		Tags:             tagsOut(tags),
	}}, nil
}

// errAuthCode is AWS's answer to codes that do not verify.
func errAuthCode(serial string) error {
	return keyward.Errorf(keyward.ErrInvalidAuthenticationCode, "Authentication code for device is not valid.")
}

// deviceOwner finds the user an MFA action names (the caller without
// UserName; root for the root user) and authorizes action on it. It
// returns the user's name as stored, "" for root.
func (o *op) deviceOwner(action string, userName *string) (string, error) {
	return o.keyOwner(action, userName)
}

// userDevice reads the device serial, which must be the account's and
// assigned to user ("" for root): NoSuchEntity otherwise.
func (o *op) userDevice(serial, user string) (keyward.MFADevice, error) {
	missing := keyward.Errorf(keyward.ErrNoSuchEntity, "MFA Device with serial number %s does not exist.", serial)
	e, err := o.findDevice(serial)
	if err != nil {
		return keyward.MFADevice{}, err
	}
	d := e.device
	if !e.found || d.EnableDate.IsZero() || !strings.EqualFold(d.UserName, user) || (user == "" && !d.Root) {
		return keyward.MFADevice{}, missing
	}
	return d, nil
}

// EnableMFADeviceInput is EnableMFADevice's request.
type EnableMFADeviceInput struct {
	UserName            string `query:"UserName,required"`
	SerialNumber        string `query:"SerialNumber,required"`
	AuthenticationCode1 string `query:"AuthenticationCode1,required"`
	AuthenticationCode2 string `query:"AuthenticationCode2,required"`
}

// EnableMFADevice assigns an unassigned virtual MFA device to a user, given
// two consecutive codes of it; a user has at most 8 devices.
func (s *Service) EnableMFADevice(ctx context.Context, c *keyward.Caller, in *EnableMFADeviceInput) (*struct{}, error) {
	now := s.now()
	err := s.update(ctx, c, true, func(o *op) error {
		u, err := o.target("iam:EnableMFADevice", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		e, err := o.findDevice(in.SerialNumber)
		if err != nil {
			return err
		}
		if !e.found {
			return e.missing()
		}
		d := e.device
		if !d.EnableDate.IsZero() {
			return keyward.Errorf(keyward.ErrEntityAlreadyExists, "MFA Device is already in use.")
		}
		all, err := o.ListMFADevices(c.AccountID)
		if err != nil {
			return err
		}
		n := 0
		for _, x := range all {
			if strings.EqualFold(x.UserName, u.name) {
				n++
			}
		}
		if n >= maxMFADevicesPerUser {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevicesPerUser)
		}
		seed, err := o.s.deviceSeed(d)
		if err != nil {
			return err
		}
		step, ok := totp.VerifyConsecutive(seed, in.AuthenticationCode1, in.AuthenticationCode2, now, enableWindow, d.LastCounter)
		if !ok {
			return errAuthCode(d.SerialNumber)
		}
		d.UserName, d.Root, d.EnableDate, d.LastCounter = u.name, false, now, step
		return o.UpdateMFADevice(d)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ResyncMFADeviceInput is ResyncMFADevice's request.
type ResyncMFADeviceInput struct {
	UserName            string `query:"UserName,required"`
	SerialNumber        string `query:"SerialNumber,required"`
	AuthenticationCode1 string `query:"AuthenticationCode1,required"`
	AuthenticationCode2 string `query:"AuthenticationCode2,required"`
}

// ResyncMFADevice resynchronizes a user's device with two consecutive
// codes found within ten minutes of now, for a device whose clock drifted.
func (s *Service) ResyncMFADevice(ctx context.Context, c *keyward.Caller, in *ResyncMFADeviceInput) (*struct{}, error) {
	now := s.now()
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.target("iam:ResyncMFADevice", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		d, err := o.userDevice(in.SerialNumber, u.name)
		if err != nil {
			return err
		}
		seed, err := o.s.deviceSeed(d)
		if err != nil {
			return err
		}
		step, ok := totp.VerifyConsecutive(seed, in.AuthenticationCode1, in.AuthenticationCode2, now, resyncWindow, d.LastCounter)
		if !ok {
			return errAuthCode(d.SerialNumber)
		}
		d.LastCounter = step
		return o.UpdateMFADevice(d)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeactivateMFADeviceInput is DeactivateMFADevice's request.
type DeactivateMFADeviceInput struct {
	UserName     *string `query:"UserName"`
	SerialNumber string  `query:"SerialNumber,required"`
}

// DeactivateMFADevice unassigns a device from its user (the caller without
// UserName); the device remains, unassigned.
func (s *Service) DeactivateMFADevice(ctx context.Context, c *keyward.Caller, in *DeactivateMFADeviceInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		name, err := o.deviceOwner("iam:DeactivateMFADevice", in.UserName)
		if err != nil {
			return err
		}
		d, err := o.userDevice(in.SerialNumber, name)
		if err != nil {
			return err
		}
		d.UserName, d.Root, d.EnableDate = "", false, time.Time{}
		return o.UpdateMFADevice(d)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteVirtualMFADeviceInput is DeleteVirtualMFADevice's request.
type DeleteVirtualMFADeviceInput struct {
	SerialNumber string `query:"SerialNumber,required"`
}

// DeleteVirtualMFADevice deletes an unassigned device and its tags
// (DeleteConflict while it is assigned).
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, c *keyward.Caller, in *DeleteVirtualMFADeviceInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		e, err := o.findDevice(in.SerialNumber)
		if err != nil {
			return err
		}
		if err := o.authorize("iam:DeleteVirtualMFADevice", e.arn, e.keys(nil)); err != nil {
			return err
		}
		if !e.found {
			return e.missing()
		}
		if !e.device.EnableDate.IsZero() {
			return keyward.Errorf(keyward.ErrDeleteConflict, "MFA Device is in use and cannot be deleted. Deactivate it first.")
		}
		return o.DeleteMFADevice(e.arn)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetMFADeviceInput is GetMFADevice's request.
type GetMFADeviceInput struct {
	SerialNumber string  `query:"SerialNumber,required"`
	UserName     *string `query:"UserName"`
}

// GetMFADeviceOutput is GetMFADevice's result.
type GetMFADeviceOutput struct {
	UserName     string `xml:"UserName,omitempty"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   Time   `xml:"EnableDate"`
}

// GetMFADevice describes a device assigned to a user (the caller without
// UserName).
func (s *Service) GetMFADevice(ctx context.Context, c *keyward.Caller, in *GetMFADeviceInput) (*GetMFADeviceOutput, error) {
	var out GetMFADeviceOutput
	err := s.view(ctx, c, func(o *op) error {
		name, err := o.deviceOwner("iam:GetMFADevice", in.UserName)
		if err != nil {
			return err
		}
		d, err := o.userDevice(in.SerialNumber, name)
		if err != nil {
			return err
		}
		out = GetMFADeviceOutput{UserName: d.UserName, SerialNumber: d.SerialNumber, EnableDate: Time(d.EnableDate)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// MFADevice is AWS's MFADevice shape.
type MFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   Time   `xml:"EnableDate"`
}

// ListMFADevicesInput is ListMFADevices' request.
type ListMFADevicesInput struct {
	UserName *string `query:"UserName"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListMFADevicesOutput is ListMFADevices' result.
type ListMFADevicesOutput struct {
	MFADevices  Members[MFADevice] `xml:"MFADevices"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

// ListMFADevices lists the devices assigned to a user (the caller without
// UserName; root's for the root user).
func (s *Service) ListMFADevices(ctx context.Context, c *keyward.Caller, in *ListMFADevicesInput) (*ListMFADevicesOutput, error) {
	var mine []keyward.MFADevice
	err := s.view(ctx, c, func(o *op) error {
		name, err := o.deviceOwner("iam:ListMFADevices", in.UserName)
		if err != nil {
			return err
		}
		all, err := o.ListMFADevices(c.AccountID)
		if err != nil {
			return err
		}
		for _, d := range all {
			if !d.EnableDate.IsZero() && strings.EqualFold(d.UserName, name) && (name != "" || d.Root) {
				mine = append(mine, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(mine, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListMFADevicesOutput{MFADevices: make(Members[MFADevice], len(page)), IsTruncated: next != "", Marker: next}
	for i, d := range page {
		out.MFADevices[i] = MFADevice{UserName: d.UserName, SerialNumber: d.SerialNumber, EnableDate: Time(d.EnableDate)}
		if d.Root {
			out.MFADevices[i].UserName = c.AccountID
		}
	}
	return out, nil
}

// ListVirtualMFADevicesInput is ListVirtualMFADevices' request.
type ListVirtualMFADevicesInput struct {
	AssignmentStatus *string `query:"AssignmentStatus"`
	Marker           *string `query:"Marker"`
	MaxItems         *int32  `query:"MaxItems"`
}

// ListVirtualMFADevicesOutput is ListVirtualMFADevices' result.
type ListVirtualMFADevicesOutput struct {
	VirtualMFADevices Members[VirtualMFADevice] `xml:"VirtualMFADevices"`
	IsTruncated       bool                      `xml:"IsTruncated"`
	Marker            string                    `xml:"Marker,omitempty"`
}

// ListVirtualMFADevices lists the account's virtual MFA devices, Assigned,
// Unassigned or Any (the default), with the user of each assigned one;
// never their seeds.
func (s *Service) ListVirtualMFADevices(ctx context.Context, c *keyward.Caller, in *ListVirtualMFADevicesInput) (*ListVirtualMFADevicesOutput, error) {
	status := deref(in.AssignmentStatus, "Any")
	var out ListVirtualMFADevicesOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListVirtualMFADevices", "*", nil); err != nil {
			return err
		}
		page, next, err := mfaDevicePage(o.Tx, c.AccountID, status, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		// The page's users in one read, not a GetUser each.
		var names []string
		for _, d := range page {
			if !d.Root && d.UserName != "" {
				names = append(names, d.UserName)
			}
		}
		users, err := o.GetUsers(c.AccountID, names)
		if err != nil {
			return err
		}
		userOf := make(map[string]keyward.User, len(users))
		for _, u := range users {
			userOf[u.Name] = u
		}
		out.VirtualMFADevices = make(Members[VirtualMFADevice], len(page))
		for i, d := range page {
			v := VirtualMFADevice{SerialNumber: d.SerialNumber, EnableDate: Time(d.EnableDate)}
			switch {
			case d.Root:
				a, err := o.GetAccount(c.AccountID)
				if err != nil {
					return err
				}
				v.User = &User{UserID: c.AccountID, ARN: arn.RootARN(c.AccountID), CreateDate: Time(a.CreateDate)}
			case d.UserName != "":
				u, ok := userOf[d.UserName]
				if !ok { // not in one snapshot; GetUser says why
					if u, err = o.GetUser(c.AccountID, d.UserName); err != nil {
						return err
					}
				}
				uo := userOut(u, nil)
				uo.PermissionsBoundary = nil
				v.User = &uo
			}
			out.VirtualMFADevices[i] = v
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// mfaDevicePage reads the page of the account's devices that status
// (Any, Assigned, Unassigned) keeps, as pageOf would cut it from the whole
// list (the marker is the index of the page's first device), without
// reading the devices before or after it.
func mfaDevicePage(tx keyward.Tx, accountID, status string, marker *string, maxItems *int32) ([]keyward.MFADevice, string, error) {
	opts := keyward.MFADeviceListOptions{}
	if status != "Any" {
		assigned := status == "Assigned"
		opts.Assigned = &assigned
	}
	start, size, err := pageRequest(marker, maxItems)
	if err != nil {
		return nil, "", err
	}
	opts.Offset = start
	if size > 0 {
		opts.Limit = size + 1 // one more says whether a next page exists
	}
	page, err := tx.ListMFADevicePage(accountID, opts)
	if err != nil {
		return nil, "", err
	}
	if len(page) == 0 && start > 0 {
		// A marker past the end is InvalidInput, one at the end an
		// empty page: is there a device at the marker's index - 1?
		opts.Offset, opts.Limit = start-1, 1
		before, err := tx.ListMFADevicePage(accountID, opts)
		if err != nil {
			return nil, "", err
		}
		if len(before) == 0 {
			return nil, "", errInvalidMarker()
		}
	}
	next := ""
	if size > 0 && len(page) > size {
		page, next = page[:size], strconv.Itoa(start+size)
	}
	return page, next, nil
}

// TagMFADeviceInput is TagMFADevice's request.
type TagMFADeviceInput struct {
	SerialNumber string        `query:"SerialNumber,required"`
	Tags         []keyward.Tag `query:"Tags,required"`
}

// TagMFADevice adds tags to a virtual MFA device.
func (s *Service) TagMFADevice(ctx context.Context, c *keyward.Caller, in *TagMFADeviceInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagMFADevice", tagged{kind: keyward.KindMFADevice, key: in.SerialNumber}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagMFADeviceInput is UntagMFADevice's request.
type UntagMFADeviceInput struct {
	SerialNumber string   `query:"SerialNumber,required"`
	TagKeys      []string `query:"TagKeys,required"`
}

// UntagMFADevice removes tags from a virtual MFA device.
func (s *Service) UntagMFADevice(ctx context.Context, c *keyward.Caller, in *UntagMFADeviceInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagMFADevice", tagged{kind: keyward.KindMFADevice, key: in.SerialNumber}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListMFADeviceTagsInput is ListMFADeviceTags' request.
type ListMFADeviceTagsInput struct {
	SerialNumber string  `query:"SerialNumber,required"`
	Marker       *string `query:"Marker"`
	MaxItems     *int32  `query:"MaxItems"`
}

// ListMFADeviceTags lists a virtual MFA device's tags.
func (s *Service) ListMFADeviceTags(ctx context.Context, c *keyward.Caller, in *ListMFADeviceTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListMFADeviceTags", tagged{kind: keyward.KindMFADevice, key: in.SerialNumber}, in.Marker, in.MaxItems)
}

// checkSignInMFA requires, of a user with MFA devices, a current code of
// one of them, accepted once.
func (s *Service) checkSignInMFA(tx keyward.Tx, u keyward.User, code string, now time.Time) error {
	all, err := tx.ListMFADevices(u.AccountID)
	if err != nil {
		return err
	}
	has := false
	for _, d := range all {
		if d.EnableDate.IsZero() || !strings.EqualFold(d.UserName, u.Name) {
			continue
		}
		has = true
		seed, err := s.deviceSeed(d)
		if err != nil {
			return err
		}
		if step, ok := totp.Verify(seed, code, now, d.LastCounter); ok {
			d.LastCounter = step
			return tx.UpdateMFADevice(d)
		}
	}
	if has && code == "" {
		return ErrMFACodeNeeded
	}
	if has {
		return errSignIn
	}
	return nil
}

// ErrMFACodeNeeded is SignIn's answer when the password was right and the
// user has an MFA device but no code was given: a sign-in page then asks
// for one, as AWS's does.
var ErrMFACodeNeeded = keyward.Errorf(keyward.ErrAccessDenied, "An MFA code is required.")
