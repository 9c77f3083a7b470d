package tenshot.scoring.pth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the tensors of a PyTorch {@code torch.save} zip archive ({@code <name>/data.pkl} plus one
 * {@code <name>/data/<key>} file per storage) without running any pickle code.
 *
 * <p>The pickle is interpreted by a small stack machine that knows only the opcodes torch.save emits and
 * resolves only the globals needed to rebuild a state dict: {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the typed
 * {@code torch.*Storage} classes. Any other global or opcode is refused with an error naming it, so a
 * malicious file cannot execute anything. The legacy (pre-1.6, non-zip) format is not supported.
 *
 * <p>TorchScript archives ({@code torch.jit.save}) pickle the module tree instead of a dict: objects of
 * {@code __torch__.*} classes created with NEWOBJ and filled by BUILD with their attributes. Those are
 * rebuilt as plain attribute maps (their TorchScript code is never read) and flattened into dotted
 * parameter names, which for an {@code nn.Module} are its state-dict keys. Non-tensor attributes are
 * skipped.
 */
public final class PthReader {

    private static final Map<String, String> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", "F32"), Map.entry("DoubleStorage", "F64"), Map.entry("HalfStorage", "F16"),
            Map.entry("BFloat16Storage", "BF16"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ShortStorage", "I16"), Map.entry("CharStorage", "I8"), Map.entry("ByteStorage", "U8"),
            Map.entry("BoolStorage", "BOOL"));
    private static final Set<String> ALLOWED_CALLABLES = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter");
    /** TorchScript's list/type helpers: pure data constructors that return their first argument. */
    private static final Set<String> TORCHSCRIPT_DATA = Set.of("torch.jit._pickle.build_intlist",
            "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist",
            "torch.jit._pickle.build_genericlist", "torch.jit._pickle.restore_type_tag");

    private PthReader() {}

    /** The named tensors of a state dict saved with {@code torch.save(model.state_dict(), path)}. */
    public static Map<String, TorchTensor> read(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) == 4 && head[0] == (byte) 0x80 && head[1] <= 5) return readLegacy(file);
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var entries = zip.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                if (name.endsWith("data.pkl") && (name.equals("data.pkl") || name.indexOf('/') == name.length() - 9)) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) throw new IOException(file + " is not a torch.save zip archive (no data.pkl)");
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null) {
                String order = new String(readAll(zip, byteorder), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) throw new IOException(file + ": byte order " + order + " is not supported");
            }
            byte[] pickle = readAll(zip, zip.getEntry(prefix + "data.pkl"));
            String storagePrefix = prefix + "data/";
            Object root = new Unpickler(pickle, 0, (key, dtype, numel) -> {
                ZipEntry e = zip.getEntry(storagePrefix + key);
                if (e == null) throw new IOException(file + ": storage data/" + key + " is missing");
                return readAll(zip, e);
            }, file.toString()).load();
            return stateDict(root, file);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not a readable zip archive: " + e.getMessage(), e);
        }
    }

    /**
     * The pre-1.6 format: pickles of the magic number, protocol version and system info, the object
     * (storages as persistent ids), the sorted storage keys, then each storage's element count (int64)
     * and raw bytes. The object is unpickled twice: once to learn each storage's dtype, once to build.
     */
    private static Map<String, TorchTensor> readLegacy(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String source = file.toString();
        Unpickler magic = new Unpickler(bytes, 0, null, source);
        Object number = magic.load();
        if (!new java.math.BigInteger("1950a86a20f9469cfc6c", 16).equals(number)) {
            throw new IOException(file + " is neither a torch.save zip archive nor a legacy torch.save file");
        }
        Unpickler protocol = new Unpickler(bytes, magic.position(), null, source);
        protocol.load();
        Unpickler sysInfo = new Unpickler(bytes, protocol.position(), null, source);
        Object info = sysInfo.load();
        if (info instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"))) {
            throw new IOException(file + ": big-endian checkpoints are not supported");
        }
        int objectStart = sysInfo.position();
        Map<String, String> dtypes = new LinkedHashMap<>();
        Unpickler scan = new Unpickler(bytes, objectStart, (key, dtype, numel) -> {
            dtypes.put(key, dtype);
            return new byte[Math.toIntExact(numel * Unpickler.elementSize(dtype))];
        }, source);
        scan.load();
        Unpickler keysPickle = new Unpickler(bytes, scan.position(), null, source);
        Object keys = keysPickle.load();
        if (!(keys instanceof List<?> keyList)) throw new IOException(file + ": storage key list missing");
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        data.position(keysPickle.position());
        Map<String, byte[]> storages = new HashMap<>();
        for (Object k : keyList) {
            String key = String.valueOf(k);
            String dtype = dtypes.get(key);
            if (dtype == null) throw new IOException(file + ": storage " + key + " is not referenced by the pickle");
            long numel = data.getLong();
            byte[] b = new byte[Math.toIntExact(numel * Unpickler.elementSize(dtype))];
            data.get(b);
            storages.put(key, b);
        }
        Object root = new Unpickler(bytes, objectStart, (key, dtype, numel) -> {
            byte[] b = storages.get(key);
            if (b == null) throw new IOException(file + ": storage " + key + " has no data");
            return b;
        }, source).load();
        return stateDict(root, file);
    }

    private static Map<String, TorchTensor> stateDict(Object root, Path file) throws IOException {
        Map<?, ?> top = root instanceof ScriptObject o ? o.attributes() : root instanceof Map<?, ?> m ? m : null;
        if (top == null) throw new IOException(file + ": the pickle holds neither a dict of tensors nor a TorchScript module");
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        flatten("", top, out, file, 0);
        if (out.isEmpty()) throw new IOException(file + ": no tensors found");
        return out;
    }

    /** Tensors under nested dicts ({"state_dict": {...}} wrappers) and TorchScript submodules, dotted. */
    private static void flatten(String prefix, Map<?, ?> map, Map<String, TorchTensor> out, Path file, int depth)
            throws IOException {
        if (depth > 64) throw new IOException(file + ": objects nested too deeply");
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) continue;
            String name = prefix + key;
            Object v = e.getValue();
            if (v instanceof TorchTensor t) out.putIfAbsent(name, t);
            else if (v instanceof ScriptObject o) flatten(name + ".", o.attributes(), out, file, depth + 1);
            else if (v instanceof Map<?, ?> nested) flatten(name + ".", nested, out, file, depth + 1);
        }
    }

    private static byte[] readAll(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    interface StorageSource {
        byte[] load(String key, String dtype, long numel) throws IOException;
    }

    /** A global the pickle referenced; only allowed names are ever created. */
    private record Global(String name) {}

    /** An instance of a TorchScript class, as the attributes its BUILD state set. */
    private record ScriptObject(String type, Map<Object, Object> attributes) {}

    /** A typed storage reference produced by persistent_load. */
    private record Storage(String dtype, byte[] bytes) {}

    private static final Object MARK = new Object();

    /** The restricted pickle machine. */
    static final class Unpickler {
        private final ByteBuffer in;
        private final StorageSource storages;
        private final String source;
        private final List<Object> stack = new ArrayList<>();
        private final Map<Integer, Object> memo = new HashMap<>();
        private final Map<String, Storage> loaded = new HashMap<>();

        Unpickler(byte[] pickle, int start, StorageSource storages, String source) {
            this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
            this.in.position(start);
            this.storages = storages;
            this.source = source;
        }

        /** Where the pickle ended (after STOP). */
        int position() {
            return in.position();
        }

        Object load() throws IOException {
            try {
                return run();
            } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
                throw new IOException(source + ": malformed pickle at byte " + in.position() + " (" + e + ")", e);
            }
        }

        private Object run() throws IOException {
            while (true) {
                int at = in.position();
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = in.get() & 0xFF;
                        if (proto > 5) throw refuse("pickle protocol " + proto, at);
                    }
                    case 0x95 -> in.getLong(); // FRAME: length only
                    case '.' -> { // STOP
                        return pop();
                    }
                    case '(' -> stack.add(MARK);
                    case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                    case ']' -> stack.add(new ArrayList<Object>());
                    case ')' -> stack.add(List.of());
                    case 'N' -> stack.add(null);
                    case 0x88 -> stack.add(Boolean.TRUE);
                    case 0x89 -> stack.add(Boolean.FALSE);
                    case 'K' -> stack.add((long) (in.get() & 0xFF));
                    case 'M' -> stack.add((long) (in.getShort() & 0xFFFF));
                    case 'J' -> stack.add((long) in.getInt());
                    case 0x8a -> { // LONG1
                        int n = in.get() & 0xFF;
                        byte[] le = new byte[n];
                        in.get(le);
                        byte[] be = new byte[n];
                        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
                        java.math.BigInteger v = n == 0 ? java.math.BigInteger.ZERO : new java.math.BigInteger(be);
                        stack.add(v.bitLength() < 64 ? (Object) v.longValue() : v);
                    }
                    case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
                    case 'X' -> stack.add(string(in.getInt()));
                    case 0x8c -> stack.add(string(in.get() & 0xFF)); // SHORT_BINUNICODE
                    case 'T' -> stack.add(string(in.getInt())); // BINSTRING
                    case 'U' -> stack.add(string(in.get() & 0xFF)); // SHORT_BINSTRING
                    case 'q' -> memo.put(in.get() & 0xFF, peek());
                    case 'r' -> memo.put(in.getInt(), peek());
                    case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
                    case 'h' -> stack.add(memoGet(in.get() & 0xFF, at));
                    case 'j' -> stack.add(memoGet(in.getInt(), at));
                    case 't' -> stack.add(nullSafe(popMark()));
                    case 0x85 -> stack.add(tuple(pop()));
                    case 0x86 -> {
                        Object b = pop();
                        stack.add(tuple(pop(), b));
                    }
                    case 0x87 -> {
                        Object c = pop();
                        Object b = pop();
                        stack.add(tuple(pop(), b, c));
                    }
                    case 'c' -> stack.add(global(line(), line(), at));
                    case 0x93 -> { // STACK_GLOBAL
                        String name = (String) pop();
                        stack.add(global((String) pop(), name, at));
                    }
                    case 'Q' -> stack.add(persistent(pop(), at));
                    case 'R' -> {
                        Object args = pop();
                        stack.add(reduce(pop(), (List<?>) args, at));
                    }
                    case 's' -> {
                        Object v = pop();
                        Object k = pop();
                        dict(peek(), at).put(k, v);
                    }
                    case 'u' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> d = dict(peek(), at);
                        for (int i = 0; i + 1 < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
                    }
                    case 'a' -> {
                        Object v = pop();
                        list(peek(), at).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popMark();
                        list(peek(), at).addAll(items);
                    }
                    case 0x81 -> { // NEWOBJ: only TorchScript classes, as attribute holders
                        Object args = pop();
                        Object cls = pop();
                        if (!(cls instanceof Global g) || !g.name().startsWith("__torch__.")) throw refuse("NEWOBJ of " + cls, at);
                        if (!(args instanceof List<?> l) || !l.isEmpty()) throw refuse("NEWOBJ with arguments", at);
                        stack.add(new ScriptObject(g.name(), new LinkedHashMap<>()));
                    }
                    case 'b' -> { // BUILD: a TorchScript object's attributes, or a state dict's _metadata (ignored)
                        Object state = pop();
                        Object target = peek();
                        if (target instanceof ScriptObject o && state instanceof Map<?, ?> attrs) {
                            for (Map.Entry<?, ?> e : attrs.entrySet()) o.attributes().put(e.getKey(), e.getValue());
                        } else if (!(target instanceof Map) || !(state instanceof Map)) {
                            throw refuse("BUILD on a non-dict object", at);
                        }
                    }
                    default -> throw refuse(String.format("pickle opcode 0x%02x", op), at);
                }
            }
        }

        private IOException refuse(String what, int at) {
            return new IOException(source + ": refusing " + what + " at byte " + at
                    + " (only tensors and dicts of tensors can be read)");
        }

        private Object global(String module, String name, int at) throws IOException {
            String full = module + "." + name;
            if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) return new Global(full);
            if (ALLOWED_CALLABLES.contains(full) || TORCHSCRIPT_DATA.contains(full)) return new Global(full);
            if (module.startsWith("__torch__.") || module.equals("__torch__")) return new Global(full);
            throw refuse("global '" + full + "'", at);
        }

        private Object persistent(Object pid, int at) throws IOException {
            if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))) {
                throw refuse("persistent id " + pid, at);
            }
            if (!(t.get(1) instanceof Global g) || !g.name().startsWith("torch.")) throw refuse("storage type " + t.get(1), at);
            String dtype = STORAGE_TYPES.get(g.name().substring("torch.".length()));
            if (dtype == null) throw refuse("storage type " + g.name(), at);
            String key = String.valueOf(t.get(2));
            if (t.size() > 5 && t.get(5) != null) throw refuse("a storage view (legacy view_metadata)", at);
            if (storages == null) throw refuse("a tensor outside the object pickle", at);
            Storage s = loaded.get(key);
            if (s == null) {
                s = new Storage(dtype, storages.load(key, dtype, ((Number) t.get(4)).longValue()));
                loaded.put(key, s);
            }
            return s;
        }

        private Object reduce(Object callable, List<?> args, int at) throws IOException {
            if (!(callable instanceof Global g)) throw refuse("calling a non-global", at);
            switch (g.name()) {
                case "collections.OrderedDict" -> {
                    if (!args.isEmpty()) throw refuse("OrderedDict with arguments", at);
                    return new LinkedHashMap<Object, Object>();
                }
                case "torch._utils._rebuild_parameter" -> {
                    return args.get(0);
                }
                case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
                        "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_genericlist",
                        "torch.jit._pickle.restore_type_tag" -> {
                    return args.isEmpty() ? null : args.get(0);
                }
                case "torch._utils._rebuild_tensor_v2" -> {
                    return rebuild((Storage) args.get(0), (Long) args.get(1), longs(args.get(2)), longs(args.get(3)), at);
                }
                default -> throw refuse("calling " + g.name(), at);
            }
        }

        private TorchTensor rebuild(Storage storage, long offset, long[] shape, long[] stride, int at) throws IOException {
            int size = elementSize(storage.dtype());
            long count = 1;
            for (long d : shape) count *= d;
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * size)).order(ByteOrder.LITTLE_ENDIAN);
            long[] index = new long[shape.length];
            for (long i = 0; i < count; i++) {
                long element = offset;
                for (int d = 0; d < shape.length; d++) element += index[d] * stride[d];
                long byteAt = element * size;
                if (element < 0 || byteAt + size > storage.bytes().length) {
                    throw new IOException(source + ": tensor view at byte " + at + " reads past its storage");
                }
                out.put(storage.bytes(), (int) byteAt, size);
                for (int d = shape.length - 1; d >= 0; d--) {
                    if (++index[d] < shape[d]) break;
                    index[d] = 0;
                }
            }
            out.flip();
            return new TorchTensor(storage.dtype(), shape, out);
        }

        static int elementSize(String dtype) {
            return switch (dtype) {
                case "F64", "I64" -> 8;
                case "F32", "I32" -> 4;
                case "F16", "BF16", "I16" -> 2;
                default -> 1;
            };
        }

        private static long[] longs(Object tuple) {
            List<?> l = (List<?>) tuple;
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = (Long) l.get(i);
            return out;
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o, int at) throws IOException {
            if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
            throw refuse("setting items on a non-dict", at);
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object o, int at) throws IOException {
            if (o instanceof ArrayList<?> l) return (List<Object>) l;
            throw refuse("appending to a non-list", at);
        }

        private Object memoGet(int key, int at) throws IOException {
            if (!memo.containsKey(key)) throw new IOException(source + ": pickle memo " + key + " read before written at byte " + at);
            return memo.get(key);
        }

        private String string(int length) {
            byte[] b = new byte[length];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private String line() {
            StringBuilder sb = new StringBuilder();
            byte c;
            while ((c = in.get()) != '\n') sb.append((char) c);
            return sb.toString();
        }

        private Object pop() {
            Object o = stack.remove(stack.size() - 1);
            if (o == MARK) throw new IndexOutOfBoundsException("mark popped as a value");
            return o;
        }

        private Object peek() {
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() {
            int i = stack.size() - 1;
            while (stack.get(i) != MARK) i--;
            List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
            stack.subList(i, stack.size()).clear();
            return items;
        }

        private static List<Object> nullSafe(List<Object> items) {
            return java.util.Collections.unmodifiableList(new ArrayList<>(items));
        }

        private static List<Object> tuple(Object... items) {
            return java.util.Collections.unmodifiableList(new ArrayList<>(java.util.Arrays.asList(items)));
        }
    }
}
