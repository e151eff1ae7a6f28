namespace Optimizer.Engine.Diagnostics;

/// <summary>Codes the engine itself reports (OPT1050–OPT1099, see src/README.md). Never renumber.</summary>
public static class EngineErrorCodes
{
    /// <summary>Unknown command or missing argument.</summary>
    public const string Usage = "OPT1050";

    /// <summary>The plan file does not exist or cannot be read.</summary>
    public const string PlanNotReadable = "OPT1051";

    /// <summary>The plan is not valid JSON or lacks a required field.</summary>
    public const string PlanInvalid = "OPT1052";

    /// <summary>The plan was written for another format version (task and engine from different packages).</summary>
    public const string PlanVersionUnsupported = "OPT1053";

    /// <summary>The outputs could not be written.</summary>
    public const string WriteFailed = "OPT1054";

    /// <summary>Anything unexpected: a bug in the engine or a pass.</summary>
    public const string Unexpected = "OPT1099";
}
