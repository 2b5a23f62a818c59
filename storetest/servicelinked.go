package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testServiceLinkedRoleDeletion(t *testing.T, s keyward.Store) {
	d := keyward.ServiceLinkedRoleDeletion{TaskID: "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/1f8f5b0e",
		AccountID: acct, RoleName: "AWSServiceRoleForElasticBeanstalk", Status: keyward.DeletionInProgress, CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateServiceLinkedRoleDeletion", tx.CreateServiceLinkedRoleDeletion(d))
		wantCode(t, "CreateServiceLinkedRoleDeletion(again)", tx.CreateServiceLinkedRoleDeletion(d), keyward.ErrEntityAlreadyExists)
		got, err := tx.GetServiceLinkedRoleDeletion(d.TaskID)
		wantOK(t, "GetServiceLinkedRoleDeletion", err)
		diff(t, "GetServiceLinkedRoleDeletion", d, got)
		d.Status, d.Reason = keyward.DeletionFailed, "in use"
		wantOK(t, "UpdateServiceLinkedRoleDeletion", tx.UpdateServiceLinkedRoleDeletion(d))
		got, err = tx.GetServiceLinkedRoleDeletion(d.TaskID)
		wantOK(t, "GetServiceLinkedRoleDeletion", err)
		diff(t, "GetServiceLinkedRoleDeletion after update", d, got)
		_, err = tx.GetServiceLinkedRoleDeletion("task/nope")
		wantCode(t, "GetServiceLinkedRoleDeletion(missing)", err, keyward.ErrNoSuchEntity)
		wantCode(t, "UpdateServiceLinkedRoleDeletion(missing)", tx.UpdateServiceLinkedRoleDeletion(keyward.ServiceLinkedRoleDeletion{TaskID: "task/nope"}), keyward.ErrNoSuchEntity)
		return nil
	})
}
