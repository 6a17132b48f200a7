package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/temgraph/temgraph"
)

// signingKeyName is the secret under which the issuer's key is stored.
const signingKeyName = "issuer-rsa-key"

// SigningKey is the built-in issuer's RSA key and its key id.
type SigningKey struct {
	Private *rsa.PrivateKey
	KeyID   string
}

// LoadSigningKey returns the issuer key kept in the store, creating a
// 2048-bit RSA key on first use.
func LoadSigningKey(ctx context.Context, ks temgraph.KeyStore) (*SigningKey, error) {
	der, err := ks.LoadOrCreateSecret(ctx, signingKeyName, func() ([]byte, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	})
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	k, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parse signing key: not an RSA key")
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	sum := sha256.Sum256(pub)
	return &SigningKey{Private: k, KeyID: base64.RawURLEncoding.EncodeToString(sum[:12])}, nil
}

// JWK is one public key in JSON Web Key form.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// PublicJWK returns the key's public half as a JWK.
func (k *SigningKey) PublicJWK() JWK {
	pub := k.Private.PublicKey
	e := big(pub.E)
	return JWK{
		Kty: "RSA", Use: "sig", Alg: "RS256", Kid: k.KeyID,
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(e),
	}
}

// big encodes a small positive int as big-endian bytes without leading zeros.
func big(v int) []byte {
	var b []byte
	for v > 0 {
		b = append([]byte{byte(v)}, b...)
		v >>= 8
	}
	return b
}
