using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>Source-generated metadata for the primitive shapes a payload converts through.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class PayloadJsonContext : JsonSerializerContext;
