namespace Optimizer.Passes;

/// <summary>Diagnostic codes for pass requests that cannot be honoured (range OPT1200–OPT1299).</summary>
public static class PassErrorCodes
{
    /// <summary>No pass has this name.</summary>
    public const string UnknownPass = "OPT1200";

    /// <summary>The pass is part of the design but not available in this version (e.g. <c>Prune</c>).</summary>
    public const string PassNotAvailable = "OPT1201";

    /// <summary>An option value is not implemented in this version (e.g. <c>Mode=StaticInt8</c>).</summary>
    public const string OptionValueNotAvailable = "OPT1202";

    /// <summary>An option name the pass does not know, or a value it cannot parse.</summary>
    public const string InvalidOption = "OPT1203";

    /// <summary>The same pass was requested twice.</summary>
    public const string DuplicatePass = "OPT1204";
}
