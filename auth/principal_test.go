package auth_test

import (
	"testing"

	"github.com/temgraph/temgraph/auth"
)

func TestPrincipal_CanRead(t *testing.T) {
	tests := []struct {
		name      string
		perms     []string
		read      bool
		write     bool
		delegated bool
	}{
		{"None", nil, false, false, true},
		{"Unrelated", []string{"User.Read", "Directory.ReadWrite.All"}, false, false, true},
		{"ReadAll", []string{auth.ScopeRead}, true, false, true},
		{"ReadWriteAll", []string{auth.ScopeReadWrite}, true, true, true},
		{"ReadWriteAllApp", []string{auth.ScopeReadWrite}, true, true, false},
		{"ReadAllApp", []string{auth.ScopeRead}, true, false, false},
		{"LegacyRead", []string{"DeviceManagementServiceConfiguration.Read.All"}, true, false, true},
		{"LegacyReadWrite", []string{"DeviceManagementServiceConfiguration.ReadWrite.All"}, true, true, true},
		{"CaseInsensitive", []string{"devicemanagementserviceconfig.readwrite.all"}, true, true, true},
		{"AmongOthers", []string{"openid", "profile", auth.ScopeRead}, true, false, true},
		{"Prefix", []string{"DeviceManagementServiceConfig.Read"}, false, false, true},
		{"ManagedDevicesIsNotEnough", []string{"DeviceManagementManagedDevices.ReadWrite.All"}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &auth.Principal{Tenant: tenantA, Delegated: tt.delegated, Permissions: tt.perms}
			if got := p.CanRead(); got != tt.read {
				t.Errorf("CanRead()=%v, want %v", got, tt.read)
			}
			if got := p.CanWrite(); got != tt.write {
				t.Errorf("CanWrite()=%v, want %v", got, tt.write)
			}
		})
	}
}
