/* Debian's OpenSSL (libssl-dev) for BerthHTTP's TLS layer and the TLS test server.
 * The helpers below stand in for OpenSSL macros Swift cannot import, and keep the few
 * walks over ASN.1 unions and stacks on the C side, where they are one loop. */
#ifndef BERTH_COPENSSL_SHIM_H
#define BERTH_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/hmac.h>
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

/* HMAC-SHA256 of data under key into out (32 bytes), for webhook signatures. Returns 1 on success. */
static inline int berth_hmac_sha256(const void *key, size_t key_length, const unsigned char *data, size_t length,
                                    unsigned char *out) {
    unsigned int written = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &written) != NULL && written == 32;
}

#endif
