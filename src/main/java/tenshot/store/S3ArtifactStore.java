package tenshot.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts as objects in one S3 bucket (AWS or any S3-compatible server), optionally below a key prefix.
 * A write streams to a multipart upload in parts of {@code partSize} bytes (a write smaller than one part
 * is one PUT), and the object exists only once the upload is completed, so readers never see part of it;
 * an abandoned write aborts its upload.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    /** S3's smallest part (except the last). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final String bucket;
    private final String root;
    private final int partSize;

    /**
     * @param root a key prefix for every artifact (empty, or ending with '/'), so one bucket can hold
     *     several deployments
     */
    public S3ArtifactStore(S3Client s3, String bucket, String root, int partSize) {
        if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("S3 artifact store needs a bucket name");
        if (root == null) root = "";
        if (!root.isEmpty()) {
            if (!root.endsWith("/")) root = root + "/";
            ArtifactStore.checkPrefix(root);
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 multipart part size must be at least " + MIN_PART_SIZE + " bytes, was " + partSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.root = root;
        this.partSize = partSize;
    }

    public String bucket() {
        return bucket;
    }

    private String objectKey(String key) {
        return root + ArtifactStore.checkKey(key);
    }

    @Override
    public PendingWrite begin(String key) {
        return new MultipartWrite(objectKey(key));
    }

    @Override
    public InputStream open(String key) throws IOException {
        String object = objectKey(key);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range for " + key);
        String object = objectKey(key);
        // S3 has no empty range and refuses one that starts past the end: both read as nothing, like a file
        if (length == 0 || offset >= size(key)) return InputStream.nullInputStream();
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object).range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    private long size(String key) throws IOException {
        return stat(key).orElseThrow(() -> new NoSuchFileException(key)).size();
    }

    @Override
    public Optional<Info> stat(String key) throws IOException {
        String object = objectKey(key);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(object));
            return Optional.of(new Info(key, head.contentLength(), head.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw failure("stat", key, e);
        } catch (SdkException e) {
            throw failure("stat", key, e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        String full = root + ArtifactStore.checkPrefix(prefix);
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(full)).contents()) {
                keys.add(object.key().substring(root.length()));
            }
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        String object = objectKey(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(object));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        List<String> keys = list(prefix);
        for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(root + k).build()).toList();
            try {
                var response = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
                if (response.hasErrors() && !response.errors().isEmpty()) {
                    var first = response.errors().get(0);
                    throw new IOException("S3 bucket " + bucket + ": could not delete " + response.errors().size() + " objects under '"
                            + prefix + "', e.g. " + first.key() + ": " + first.code() + " " + first.message());
                }
            } catch (SdkException e) {
                throw failure("delete", prefix, e);
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private IOException failure(String what, String key, SdkException e) {
        return new IOException("S3 bucket " + bucket + ": cannot " + what + " '" + key + "': " + e.getMessage(), e);
    }

    /**
     * Buffers one part at a time; the first full part starts the multipart upload. Closing the stream
     * (a zip writer does) neither publishes nor discards: only {@link #commit()} and {@link #close()} do.
     */
    private final class MultipartWrite implements PendingWrite {
        private final String object;
        private final byte[] buffer = new byte[partSize];
        private final List<CompletedPart> parts = new ArrayList<>();
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                append(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                append(b, off, len);
            }
        };
        private int filled;
        private String uploadId;
        private boolean done;

        MultipartWrite(String object) {
            this.object = object;
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        private void append(byte[] b, int off, int len) throws IOException {
            if (done) throw new IOException("write of " + object + " already finished");
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) uploadPart();
            }
        }

        private void uploadPart() throws IOException {
            try {
                if (uploadId == null) uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(object)).uploadId();
                int number = parts.size() + 1;
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(object).uploadId(uploadId).partNumber(number)
                        .contentLength((long) filled), RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, filled), filled)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                filled = 0;
            } catch (SdkException e) {
                throw new IOException("S3 bucket " + bucket + ": cannot upload part " + (parts.size() + 1) + " of '" + object + "': "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void commit() throws IOException {
            if (done) throw new IllegalStateException("write of " + object + " already finished");
            try {
                if (uploadId == null) {
                    s3.putObject(r -> r.bucket(bucket).key(object).contentLength((long) filled),
                            RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, filled), filled));
                } else {
                    if (filled > 0) uploadPart();
                    s3.completeMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                }
            } catch (SdkException e) {
                throw new IOException("S3 bucket " + bucket + ": cannot complete '" + object + "': " + e.getMessage(), e);
            }
            done = true;
        }

        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            if (uploadId != null) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId));
                } catch (SdkException e) {
                    throw new IOException("S3 bucket " + bucket + ": cannot abort the upload of '" + object + "': " + e.getMessage(), e);
                }
            }
        }
    }
}
