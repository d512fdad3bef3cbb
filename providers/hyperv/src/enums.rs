//! Hyper-V enums as `ConvertTo-Json` writes them: numbers (Windows PowerShell 5.1, and PS 7
//! without `-EnumsAsStrings`) or names (PS 7 with `-EnumsAsStrings`). Values from FINDINGS §2
//! (Hyper-V module 2.0.0.0). VMState numbers above 32782 differ between module versions
//! (§2.1), so they are never decoded to a name: they read as `Critical`.

use serde_json::Value as Json;

/// One enum: its .NET name and its (number, name) members.
#[derive(Debug)]
pub struct Enum {
    pub name: &'static str,
    pub members: &'static [(i64, &'static str)],
    /// Numbers at or above this are not trusted (version-dependent).
    pub trusted_below: i64,
}

pub const VM_STATE: Enum = Enum {
    name: "VMState",
    members: &[
        (1, "Other"),
        (2, "Running"),
        (3, "Off"),
        (4, "Stopping"),
        (6, "Saved"),
        (9, "Paused"),
        (10, "Starting"),
        (11, "Reset"),
        (32773, "Saving"),
        (32776, "Pausing"),
        (32777, "Resuming"),
        (32779, "FastSaved"),
        (32780, "FastSaving"),
        (32781, "ForceShutdown"),
        (32782, "ForceReboot"),
    ],
    trusted_below: 32783,
};

pub const START_ACTION: Enum = Enum {
    name: "StartAction",
    members: &[(2, "Nothing"), (3, "StartIfRunning"), (4, "Start")],
    trusted_below: i64::MAX,
};

pub const STOP_ACTION: Enum = Enum {
    name: "StopAction",
    members: &[(2, "TurnOff"), (3, "Save"), (4, "ShutDown")],
    trusted_below: i64::MAX,
};

pub const CHECKPOINT_TYPE: Enum = Enum {
    name: "CheckpointType",
    members: &[
        (2, "Disabled"),
        (3, "Production"),
        (4, "ProductionOnly"),
        (5, "Standard"),
    ],
    trusted_below: i64::MAX,
};

/// Note that Off is 1 (FINDINGS §2.2).
pub const ON_OFF: Enum = Enum {
    name: "OnOffState",
    members: &[(0, "On"), (1, "Off")],
    trusted_below: i64::MAX,
};

pub const SWITCH_TYPE: Enum = Enum {
    name: "VMSwitchType",
    members: &[(0, "Private"), (1, "Internal"), (2, "External")],
    trusted_below: i64::MAX,
};

pub const VHD_TYPE: Enum = Enum {
    name: "VhdType",
    members: &[
        (0, "Unknown"),
        (1, "Invalid"),
        (2, "Fixed"),
        (3, "Dynamic"),
        (4, "Differencing"),
    ],
    trusted_below: i64::MAX,
};

pub const VHD_FORMAT: Enum = Enum {
    name: "VhdFormat",
    members: &[
        (0, "Unknown"),
        (1, "Invalid"),
        (2, "VHD"),
        (3, "VHDX"),
        (4, "VHDSet"),
    ],
    trusted_below: i64::MAX,
};

pub const CONTROLLER_TYPE: Enum = Enum {
    name: "ControllerType",
    members: &[(0, "IDE"), (1, "SCSI"), (2, "PMEM")],
    trusted_below: i64::MAX,
};

pub const DVD_MEDIA_TYPE: Enum = Enum {
    name: "DvdMediaType",
    members: &[(0, "None"), (1, "ISO"), (2, "PassThrough")],
    trusted_below: i64::MAX,
};

/// The `*Critical` VM states with their numbers in Hyper-V module 2.0.0.0 and in older
/// modules (FINDINGS §2.1): the emulated host writes either, the provider trusts neither.
pub const CRITICAL_STATES: [(&str, i64, i64); 14] = [
    ("RunningCritical", 32785, 32783),
    ("OffCritical", 32786, 32784),
    ("StoppingCritical", 32787, 32785),
    ("SavedCritical", 32788, 32786),
    ("PausedCritical", 32789, 32787),
    ("StartingCritical", 32790, 32788),
    ("ResetCritical", 32791, 32789),
    ("SavingCritical", 32792, 32790),
    ("PausingCritical", 32793, 32791),
    ("ResumingCritical", 32794, 32792),
    ("FastSavedCritical", 32795, 32793),
    ("FastSavingCritical", 32796, 32794),
    ("Hibernated", 32783, -1),
    ("ComponentServicing", 32784, -1),
];

impl Enum {
    /// The member's name from either encoding; `Err` names what came.
    pub fn decode(&self, v: &Json) -> Result<&'static str, String> {
        match v {
            Json::Number(n) => {
                let n = n.as_i64().ok_or_else(|| format!("{} {n}", self.name))?;
                if n >= self.trusted_below {
                    return Ok("Critical");
                }
                self.members
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| format!("unknown {} {n}", self.name))
            }
            Json::String(s) => self
                .members
                .iter()
                .find(|(_, m)| m.eq_ignore_ascii_case(s))
                .map(|(_, m)| *m)
                .or_else(|| s.ends_with("Critical").then_some("Critical"))
                .ok_or_else(|| format!("unknown {} `{s}`", self.name)),
            other => Err(format!("{} is {other}, not a number or a name", self.name)),
        }
    }

    /// The member as the host writes it: a number, or its name with `-EnumsAsStrings`.
    pub fn encode(&self, name: &str, as_strings: bool) -> Json {
        match self
            .members
            .iter()
            .find(|(_, m)| m.eq_ignore_ascii_case(name))
        {
            Some((_, m)) if as_strings => Json::String(m.to_string()),
            Some((n, _)) => Json::from(*n),
            None => Json::String(name.to_string()),
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.members.iter().map(|(_, m)| *m).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_encodings_decode_alike() {
        assert_eq!(VM_STATE.decode(&json!(2)), Ok("Running"));
        assert_eq!(VM_STATE.decode(&json!("Running")), Ok("Running"));
        assert_eq!(VM_STATE.decode(&json!(3)), Ok("Off"));
        // Critical numbering moved between module versions: never a wrong name.
        assert_eq!(VM_STATE.decode(&json!(32785)), Ok("Critical"));
        assert_eq!(VM_STATE.decode(&json!("RunningCritical")), Ok("Critical"));
        assert_eq!(ON_OFF.decode(&json!(1)), Ok("Off"));
        assert_eq!(SWITCH_TYPE.encode("Internal", false), json!(1));
        assert_eq!(SWITCH_TYPE.encode("internal", true), json!("Internal"));
        assert!(CHECKPOINT_TYPE.decode(&json!(9)).is_err());
    }
}
