package http

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// metadataContentType is the media type of the CSDL document.
const metadataContentType = "application/xml;charset=utf-8"

// csdl is the service's metadata document: the part of Microsoft Graph's
// schema that temgraph serves, the same for beta and v1.0. The entity type
// has the five properties, types and nullability Graph published for it.
const csdl = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="entity" Abstract="true">
        <Key>
          <PropertyRef Name="id" />
        </Key>
        <Property Name="id" Type="Edm.String" Nullable="false">
          <Annotation Term="Org.OData.Core.V1.Description" String="The unique identifier of the entity." />
        </Property>
      </EntityType>
      <EntityType Name="deviceManagement" BaseType="graph.entity">
        <NavigationProperty Name="telecomExpenseManagementPartners" Type="Collection(graph.telecomExpenseManagementPartner)" ContainsTarget="true">
          <Annotation Term="Org.OData.Core.V1.Description" String="The telecom expense management partners connected to the tenant." />
        </NavigationProperty>
      </EntityType>
      <EntityType Name="telecomExpenseManagementPartner" BaseType="graph.entity">
        <Annotation Term="Org.OData.Core.V1.Description" String="A telecom expense management (TEM) service connected to the tenant, with its authorization and connection status." />
        <Property Name="appAuthorized" Type="Edm.Boolean" Nullable="false">
          <Annotation Term="Org.OData.Core.V1.Description" String="Whether the partner's application is authorized to access Intune." />
        </Property>
        <Property Name="displayName" Type="Edm.String">
          <Annotation Term="Org.OData.Core.V1.Description" String="The partner's display name." />
        </Property>
        <Property Name="enabled" Type="Edm.Boolean" Nullable="false">
          <Annotation Term="Org.OData.Core.V1.Description" String="Whether the connection between Intune and the partner's service is turned on." />
        </Property>
        <Property Name="lastConnectionDateTime" Type="Edm.DateTimeOffset" Nullable="false">
          <Annotation Term="Org.OData.Core.V1.Description" String="When the partner last sent a request to Intune." />
        </Property>
        <Property Name="url" Type="Edm.String">
          <Annotation Term="Org.OData.Core.V1.Description" String="The address of the partner's administration portal." />
        </Property>
      </EntityType>
      <EntityContainer Name="GraphService">
        <Singleton Name="deviceManagement" Type="microsoft.graph.deviceManagement" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`

// serveAPI serves the Graph routes. As Graph does, it answers GET and HEAD
// of the metadata document without a token; everything else goes through
// authentication.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && isMetadataPath(r.URL.Path) {
		setRoute(r.Context(), "metadata")
		writeMetadata(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// isMetadataPath reports whether path names a version's metadata document,
// matching segments as the routing table does.
func isMetadataPath(path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	_, ok := match([]string{"{version}", segMetadata}, segs)
	return ok && validVersion(segs[0])
}

// handleMetadata serves GET /{version}/$metadata when it reaches the
// routing table, as it does inside a batch.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request, pp pathParams) {
	writeMetadata(w, r)
}

// writeMetadata writes the CSDL document.
func writeMetadata(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = []string{metadataContentType}
	h["Odata-Version"] = []string{"4.0"}
	h["Content-Length"] = []string{strconv.Itoa(len(csdl))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		io.WriteString(w, csdl)
	}
}
