package iam

import (
	"context"
	"strconv"

	"github.com/keyward/keyward"
)

// pageInput is the page of an account-wide List action (ListUsers,
// ListGroups, ListRoles, ListInstanceProfiles).
type pageInput struct {
	PathPrefix, Marker *string
	MaxItems           *int32
}

// listByPath runs an account-wide List action: it checks the page, authorizes
// action on the path listed (kind's ARN with the path prefix, as IAM does),
// and reads one page with list, converted by conv.
func listByPath[E, O any](ctx context.Context, s *Service, c *keyward.Caller, action, kind string, in pageInput,
	list func(tx keyward.Tx, accountID string, opts keyward.ListOptions) ([]E, string, error),
	conv func([]E) Members[O]) (items Members[O], truncated bool, marker string, err error) {
	err = s.view(ctx, c, func(o *op) error {
		if err := o.authorize(action, listResource(c.AccountID, kind, in.PathPrefix), nil); err != nil {
			return err
		}
		page, next, err := list(o.Tx, c.AccountID, listOptions(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		items, truncated, marker = conv(page), next != "", next
		return nil
	})
	if err != nil {
		return nil, false, "", err
	}
	return items, truncated, marker, nil
}

// listOptions turns the paging members into store options; MaxItems
// defaults to 100, as on AWS.
func listOptions(pathPrefix, marker *string, maxItems *int32) keyward.ListOptions {
	o := keyward.ListOptions{MaxItems: defaultMaxItems}
	if pathPrefix != nil {
		o.PathPrefix = *pathPrefix
	}
	if marker != nil {
		o.Marker = *marker
	}
	if maxItems != nil {
		o.MaxItems = int(*maxItems)
	}
	return o
}

// pageRequest reads a list request's Marker (the index of the page's first
// item; InvalidInput when it is not one) and MaxItems (defaultMaxItems when
// absent; 0 or less, no limit).
func pageRequest(marker *string, maxItems *int32) (start, size int, err error) {
	if marker != nil {
		n, perr := strconv.Atoi(*marker)
		if perr != nil || n < 0 {
			return 0, 0, errInvalidMarker()
		}
		start = n
	}
	size = defaultMaxItems
	if maxItems != nil {
		size = int(*maxItems)
	}
	return start, size, nil
}

// pageOf cuts a whole list (one the store returns unpaged) into AWS's
// pages. The marker is the index of the page's first item in decimal; a
// marker that is not one is InvalidInput, as on AWS.
func pageOf[T any](all []T, marker *string, maxItems *int32) (page []T, next string, err error) {
	start, size, err := pageRequest(marker, maxItems)
	if err != nil || start > len(all) {
		return nil, "", errInvalidMarker()
	}
	end := len(all)
	if size > 0 && start+size < end {
		end = start + size
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}
