/* Debian's OpenSSL (libssl-dev) for BerthHTTP's TLS layer and the TLS test server.
 * The helpers below stand in for OpenSSL macros Swift cannot import, and keep the few
 * walks over ASN.1 unions and stacks on the C side, where they are one loop. */
#ifndef BERTH_COPENSSL_SHIM_H
#define BERTH_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/rand.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static inline long berth_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline long berth_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long berth_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long berth_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return SSL_CTX_add1_chain_cert(ctx, cert);
}

static inline long berth_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline long berth_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int berth_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

/* Called by OpenSSL when the server asks for a client certificate and none is set:
 * remembers that (ex_data slot 0, the "app data" slot) so a failed handshake can say
 * the server requires one. Returning 0 sends no certificate, as without the callback. */
static int berth_client_certificate_requested(SSL *ssl, X509 **x509, EVP_PKEY **pkey) {
    (void)x509;
    (void)pkey;
    SSL_set_ex_data(ssl, 0, (void *)1);
    return 0;
}

static inline void berth_SSL_CTX_watch_certificate_requests(SSL_CTX *ctx) {
    SSL_CTX_set_client_cert_cb(ctx, berth_client_certificate_requested);
}

static inline int berth_SSL_client_certificate_was_requested(const SSL *ssl) {
    return SSL_get_ex_data(ssl, 0) != NULL;
}

/* Writes the names the server's certificate is for (its subjectAltName DNS names and IP
 * addresses, else its common name) into out as `"a", "b"`. The chain is read because a
 * certificate that failed verification is never made the session's peer certificate. */
static inline void berth_SSL_peer_names(const SSL *ssl, char *out, size_t capacity) {
    out[0] = 0;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    if (chain == NULL || sk_X509_num(chain) == 0) return;
    X509 *leaf = sk_X509_value(chain, 0);
    size_t used = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        char text[INET6_ADDRSTRLEN + 1] = {0};
        if (name->type == GEN_DNS) {
            int length = ASN1_STRING_length(name->d.dNSName);
            if (length <= 0 || (size_t)length >= sizeof(text)) continue;
            memcpy(text, ASN1_STRING_get0_data(name->d.dNSName), (size_t)length);
        } else if (name->type == GEN_IPADD) {
            int length = ASN1_STRING_length(name->d.iPAddress);
            const unsigned char *bytes = ASN1_STRING_get0_data(name->d.iPAddress);
            if (length == 4) inet_ntop(AF_INET, bytes, text, sizeof(text));
            else if (length == 16) inet_ntop(AF_INET6, bytes, text, sizeof(text));
            else continue;
        } else {
            continue;
        }
        int wrote = snprintf(out + used, capacity - used, "%s\"%s\"", used ? ", " : "", text);
        if (wrote < 0 || (size_t)wrote >= capacity - used) break;
        used += (size_t)wrote;
    }
    GENERAL_NAMES_free(names);
    if (used == 0) {
        char common[256] = {0};
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, common, sizeof(common)) > 0) {
            snprintf(out, capacity, "\"%s\"", common);
        }
    }
}

/* Sealed secrets (BerthSeal): each helper is one whole operation, so Swift never holds a
 * half-set-up EVP context, and the parameter macros stay on the C side. */

/* An RSA key of `bits` (EVP_RSA_gen is variadic underneath, which Swift cannot call). */
static inline EVP_PKEY *berth_rsa_generate(int bits) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    if (ctx != NULL && EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0) {
        if (EVP_PKEY_keygen(ctx, &key) <= 0) key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* The key's size in bits when it is an RSA key, else 0. */
static inline int berth_rsa_bits(const EVP_PKEY *key) {
    return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? EVP_PKEY_get_bits(key) : 0;
}

/* The DER SubjectPublicKeyInfo of `key` into out (when capacity suffices); its length, or -1. */
static inline int berth_public_der(EVP_PKEY *key, unsigned char *out, int capacity) {
    int length = i2d_PUBKEY(key, NULL);
    if (length > 0 && out != NULL && length <= capacity) {
        unsigned char *cursor = out;
        length = i2d_PUBKEY(key, &cursor);
    }
    return length;
}

/* RSA-OAEP with SHA-256 as the OAEP digest and as MGF1's digest. encrypt 1 wraps with the
 * public key, 0 unwraps with the private key. The output's length, or -1. */
static inline int berth_rsa_oaep_sha256(EVP_PKEY *key, int encrypt, const unsigned char *in, size_t length,
                                        unsigned char *out, size_t capacity) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    size_t written = capacity;
    int ok = ctx != NULL
        && (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) > 0
        && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0
        && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0
        && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0
        && (encrypt ? EVP_PKEY_encrypt(ctx, out, &written, in, length) : EVP_PKEY_decrypt(ctx, out, &written, in, length)) > 0;
    EVP_PKEY_CTX_free(ctx);
    return ok ? (int)written : -1;
}

/* AES-256-GCM with a 12-byte nonce and a 16-byte tag; `aad` is authenticated, not encrypted.
 * Encrypting writes the tag; decrypting checks it. out holds `length` bytes. 1 on success:
 * when decrypting, only if the tag matches. */
static inline int berth_aes256gcm(int encrypt, const unsigned char *key, const unsigned char *nonce,
                                  const unsigned char *aad, int aadLength, const unsigned char *in, int length,
                                  unsigned char *out, unsigned char *tag) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int updated = 0, finished = 0;
    int ok = ctx != NULL
        && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) > 0
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) > 0
        && EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) > 0
        && (aadLength == 0 || EVP_CipherUpdate(ctx, NULL, &updated, aad, aadLength) > 0)
        && (length == 0 || EVP_CipherUpdate(ctx, out, &updated, in, length) > 0)
        && (encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) > 0)
        && EVP_CipherFinal_ex(ctx, out + (length == 0 ? 0 : updated), &finished) > 0
        && (!encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) > 0);
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

#endif
