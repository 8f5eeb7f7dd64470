using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Baton;

/// <summary>
/// What flows between steps: text or a JSON value. Immutable and always serializable with
/// System.Text.Json, so it can be journaled, checkpointed and sent across processes.
/// </summary>
/// <remarks>
/// A JSON string value and text are the same thing: <see cref="FromJson(JsonElement)"/> of a
/// string gives a text payload. That keeps the stored form unambiguous.
/// </remarks>
[JsonConverter(typeof(PayloadJsonConverter))]
public sealed class Payload : IEquatable<Payload>
{
    private readonly string? _text;
    private readonly byte[]? _utf8Json;

    // One payload is shared by every branch that reads it, so the cached element is published
    // whole through a reference (a boxed JsonElement? would tear: it is wider than a word).
    private JsonElementBox? _element;

    /// <summary>The payload that holds nothing.</summary>
    public static Payload Empty { get; } = new(null, null);

    private Payload(string? text, byte[]? utf8Json)
    {
        _text = text;
        _utf8Json = utf8Json;
    }

    /// <summary>What this payload holds.</summary>
    public PayloadKind Kind => _text is not null ? PayloadKind.Text : _utf8Json is not null ? PayloadKind.Json : PayloadKind.Empty;

    /// <summary>True when the payload holds nothing.</summary>
    public bool IsEmpty => _text is null && _utf8Json is null;

    /// <summary>A text payload.</summary>
    public static Payload FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Payload(text, null);
    }

    /// <summary>A payload holding a copy of a JSON value; a JSON string becomes text, null becomes empty.</summary>
    public static Payload FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => Empty,
        JsonValueKind.String => new Payload(json.GetString()!, null),
        _ => new Payload(null, JsonSerializer.SerializeToUtf8Bytes(json, PayloadJsonContext.Default.JsonElement)),
    };

    /// <summary>Parses JSON text into a payload; throws <see cref="JsonException"/> when it is not JSON.</summary>
    public static Payload ParseJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    /// <summary>Parses UTF-8 JSON into a payload; throws <see cref="JsonException"/> when it is not JSON.</summary>
    public static Payload ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var document = JsonDocument.ParseValue(ref reader);
        return FromJson(document.RootElement);
    }

    /// <summary>A payload holding <paramref name="value"/> serialized to JSON (strings stay text).</summary>
    public static Payload From<T>(T value, JsonSerializerOptions? options = null)
    {
        if (value is null) return Empty;
        if (value is string s) return FromText(s);
        if (value is Payload p) return p;
        if (value is JsonElement e) return FromJson(e);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, options ?? DefaultOptions);
        return FromUtf8(bytes);
    }

    /// <summary>A payload holding <paramref name="value"/> serialized with source-generated metadata.</summary>
    public static Payload From<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (value is null) return Empty;
        return FromUtf8(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }

    private static Payload FromUtf8(byte[] bytes)
    {
        // A serialized string is text; everything else stays JSON.
        if (bytes.Length > 0 && bytes[0] == (byte)'"')
        {
            return new Payload(JsonSerializer.Deserialize(bytes, PayloadJsonContext.Default.String)!, null);
        }

        return bytes is [(byte)'n', (byte)'u', (byte)'l', (byte)'l'] ? Empty : new Payload(null, bytes);
    }

    /// <summary>Text: the text itself, or the JSON text of a JSON value, or the empty string.</summary>
    public string AsText() => _text ?? (_utf8Json is null ? string.Empty : Encoding.UTF8.GetString(_utf8Json));

    /// <summary>The payload as a JSON value (text becomes a JSON string; empty becomes null).</summary>
    public JsonElement AsJson()
    {
        if (Volatile.Read(ref _element) is { } cached) return cached.Value;
        JsonElement element;
        if (_utf8Json is not null)
        {
            using var document = JsonDocument.Parse(_utf8Json);
            element = document.RootElement.Clone();
        }
        else
        {
            element = JsonSerializer.SerializeToElement(_text, PayloadJsonContext.Default.String);
        }

        // Racing readers may each parse once; the first published element wins, so every caller sees the same one.
        var box = new JsonElementBox(element);
        return (Interlocked.CompareExchange(ref _element, box, null) ?? box).Value;
    }

    /// <summary>
    /// Reads the payload as <typeparamref name="T"/>: text binds to <see cref="string"/> directly,
    /// and text that holds JSON is parsed, so a model's JSON reply binds to a record.
    /// </summary>
    /// <exception cref="JsonException">The payload does not fit <typeparamref name="T"/>.</exception>
    public T? Get<T>(JsonSerializerOptions? options = null)
    {
        if (typeof(T) == typeof(string)) return (T)(object)AsText();
        if (typeof(T) == typeof(Payload)) return (T)(object)this;
        if (typeof(T) == typeof(JsonElement)) return (T)(object)AsJson();
        if (_utf8Json is not null) return JsonSerializer.Deserialize<T>(_utf8Json, options ?? DefaultOptions);
        if (_text is null) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(_text, options ?? DefaultOptions);
        }
        catch (JsonException) when (_text.Length > 0 && _text[0] != '"')
        {
            // Plain text that is not JSON: bind it as a JSON string (for enums, numbers in quotes, ...).
            return JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(_text, PayloadJsonContext.Default.String), options ?? DefaultOptions);
        }
    }

    /// <summary>The UTF-8 bytes this payload occupies when stored (an upper bound for text).</summary>
    public int SizeInBytes => _text is not null ? Encoding.UTF8.GetMaxByteCount(_text.Length) : _utf8Json?.Length ?? 0;

    /// <summary>Exact stored size in bytes (counts UTF-8 bytes of text).</summary>
    internal int ExactSizeInBytes => _text is not null ? Encoding.UTF8.GetByteCount(_text) : _utf8Json?.Length ?? 0;

    internal ReadOnlySpan<byte> Utf8Json => _utf8Json;

    internal static Payload FromTrustedUtf8Json(byte[] utf8Json) => new(null, utf8Json);

    /// <summary>Implicit conversion from text, so lambda agents can return strings.</summary>
    public static implicit operator Payload(string text) => FromText(text);

    /// <inheritdoc/>
    public bool Equals(Payload? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Kind != other.Kind) return false;
        return _text is not null ? string.Equals(_text, other._text, StringComparison.Ordinal) : (_utf8Json ?? []).AsSpan().SequenceEqual(other._utf8Json);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Payload p && Equals(p);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (_text is not null) return StringComparer.Ordinal.GetHashCode(_text);
        var hash = new HashCode();
        hash.AddBytes(_utf8Json);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => AsText();

    /// <summary>A parsed element behind a reference, so it is written and read atomically.</summary>
    private sealed record JsonElementBox(JsonElement Value);

    // Relaxed escaping: payloads are data for agents and people, not HTML, so "it's" stays readable.
    // Baton's own payload types are read and written from source-generated contracts; any other type by reflection.
    internal static readonly JsonSerializerOptions DefaultOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(BuiltInPayloadJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}
