using Microsoft.Extensions.Compliance.Classification;

namespace Baton.Compliance;

/// <summary>
/// The kinds of data Baton tells apart when it logs (Microsoft.Extensions.Compliance data classification): a host maps
/// each to a redactor (<c>services.AddRedaction(...)</c>).
/// </summary>
public static class BatonDataClassifications
{
    /// <summary>The taxonomy Baton's classifications belong to.</summary>
    public const string Taxonomy = "Baton";

    /// <summary>
    /// What agents read and write: step inputs and outputs, prompts, replies, answers. It may hold personal data, so it
    /// is redacted from logs unless the host opts in (<see cref="BatonOptions.ContentRedactor"/>, or
    /// <c>LogContent</c> of <c>AddBaton</c>).
    /// </summary>
    public static DataClassification Content { get; } = new(Taxonomy, nameof(Content));
}
