using System.Text.Json.Serialization;

namespace Baton.Storage;

/// <summary>
/// Source-generated contracts for what stores keep. Only these known shapes are ever read back: no type names, no
/// polymorphism, nothing in stored data can name a .NET type to instantiate.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(HumanRequest))]
[JsonSerializable(typeof(RunRecord))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
