// What the SDK's implicit usings would give a net project (turned off here: on netstandard2.0 they
// name assemblies the task does not reference), plus the pass schema every part of the task reads.
// The linked schema files (Optimizer.Runtime's attributes) are written for implicit usings too.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using Optimizer.Passes.Schema;
