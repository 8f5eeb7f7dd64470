using System.Text.Json;
using System.Text.Json.Nodes;

namespace Baton;

/// <summary>Decides how a write to a state variable combines with its current value.</summary>
public sealed class StateReducer
{
    private readonly Func<Payload?, Payload, Payload> _reduce;

    private StateReducer(string name, Func<Payload?, Payload, Payload> reduce)
    {
        Name = name;
        _reduce = reduce;
    }

    /// <summary>The reducer's name, e.g. <c>append</c>.</summary>
    public string Name { get; }

    /// <summary>The new value: the last write wins.</summary>
    public static StateReducer LastWriteWins { get; } = new("last-write-wins", static (_, update) => update);

    /// <summary>Keeps a JSON array: each write is appended (an array write appends each element).</summary>
    public static StateReducer Append { get; } = new("append", AppendValues);

    /// <summary>Keeps a JSON object: each write's properties are merged in, later properties winning.</summary>
    public static StateReducer Merge { get; } = new("merge", MergeObjects);

    /// <summary>A reducer of your own; it must be pure, because replay runs it again.</summary>
    public static StateReducer Custom(string name, Func<Payload?, Payload, Payload> reduce)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(reduce);
        return new StateReducer(name, reduce);
    }

    /// <summary>Combines <paramref name="current"/> (null when unset) with <paramref name="update"/>.</summary>
    public Payload Reduce(Payload? current, Payload update) => _reduce(current, update);

    private static Payload AppendValues(Payload? current, Payload update)
    {
        var array = current is { Kind: PayloadKind.Json } && current.AsJson().ValueKind == JsonValueKind.Array
            ? JsonNode.Parse(current.AsText())!.AsArray()
            : new JsonArray();
        if (current is { IsEmpty: false } && !(current.Kind == PayloadKind.Json && current.AsJson().ValueKind == JsonValueKind.Array))
        {
            array.Add(JsonNode.Parse(current.AsJson().GetRawText()));
        }

        var element = update.AsJson();
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) array.Add(JsonNode.Parse(item.GetRawText()));
        }
        else
        {
            array.Add(JsonNode.Parse(element.GetRawText()));
        }

        return Payload.ParseJson(array.ToJsonString());
    }

    private static Payload MergeObjects(Payload? current, Payload update)
    {
        var element = update.AsJson();
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new AgentException(ErrorKind.Fatal, "the merge reducer takes JSON objects only");
        }

        var merged = current is { Kind: PayloadKind.Json } && current.AsJson().ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(current.AsText())!.AsObject()
            : new JsonObject();
        foreach (var property in element.EnumerateObject())
        {
            merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return Payload.ParseJson(merged.ToJsonString());
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
