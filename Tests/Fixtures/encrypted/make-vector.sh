#!/usr/bin/env bash
# Makes the known vector for Voice Recording Encryption tests (#15), independently of calltop:
# openssl makes the RSA key and wraps the CEK (RSAES-OAEP-SHA256-MGF1); Python's cryptography
# (OpenSSL underneath) encrypts a WAV with AES-256-GCM and writes ciphertext, then the 16-byte tag,
# the way Twilio serves the .wav of an encrypted recording. Re-running makes a new, equally valid vector.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pem 2>/dev/null
openssl pkey -in CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pem -pubout -out public.pem
openssl rand 32 > cek.bin
openssl rand 12 > iv.bin
openssl pkeyutl -encrypt -pubin -inkey public.pem -in cek.bin \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -out cek.wrapped
python3 - <<'PY'
import base64, json, math, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
samples = 4001  # 44 + 2*4001 bytes: the last GCM block is partial
pcm = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(samples))
wav = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) \
    + b"data" + struct.pack("<I", len(pcm)) + pcm
cek, iv = open("cek.bin", "rb").read(), open("iv.bin", "rb").read()
enc = Cipher(algorithms.AES(cek), modes.GCM(iv)).encryptor()
body = enc.update(wav) + enc.finalize()
open("plain.wav", "wb").write(wav)
open("body.enc", "wb").write(body + enc.tag)
json.dump({"type": "rsa-aes", "public_key_sid": "CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
           "encrypted_cek": base64.b64encode(open("cek.wrapped", "rb").read()).decode(),
           "iv": base64.b64encode(iv).decode()}, open("encryption_details.json", "w"), indent=2)
PY
rm -f cek.bin iv.bin cek.wrapped public.pem
