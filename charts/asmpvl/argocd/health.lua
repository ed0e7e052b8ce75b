-- Argo CD health check for ASMPvlConfig (istio.alibabacloud.com). Set it in the argocd-cm ConfigMap
-- under resource.customizations.health.istio.alibabacloud.com_ASMPvlConfig (see the chart README).
--
-- It reads what asmpvl-controller writes, as kstatus does: Stalled True (a failure that stays until
-- someone changes something: a cluster the cloud does not have, a RAM denial) is Degraded; a status
-- not yet computed for the current spec, or Reconciling True (provisioning, or retrying a failure
-- that a retry can clear), is Progressing; Ready True with status.status Available is Healthy. An
-- object written without these conditions (by another controller) is judged by status.status alone.
--
-- Argo CD opens only Lua's base and table libraries for a custom health check: no string library here.

local function condition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, candidate in ipairs(status.conditions) do
    if candidate.type == conditionType then
      return candidate
    end
  end
  return nil
end

-- A condition computed for an older spec says nothing about this one.
local function current(found, generation)
  return found ~= nil
    and found.status == "True"
    and (found.observedGeneration == nil or generation == nil or found.observedGeneration == generation)
end

local function said(found, fallback)
  if found ~= nil and found.message ~= nil and found.message ~= "" then
    return found.message
  end
  return fallback
end

local hs = {}
local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for asmpvl-controller to report a status"
  return hs
end

local generation = obj.metadata.generation
local stalled = condition(status, "Stalled")
if current(stalled, generation) then
  hs.status = "Degraded"
  hs.message = said(stalled, "Stalled")
  return hs
end

-- As kstatus: a status that records no observedGeneration (another controller's) is judged as it is.
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration ~= generation then
  local reconciling = condition(status, "Reconciling")
  hs.status = "Progressing"
  hs.message = said(reconciling, "Waiting for asmpvl-controller to act on generation " .. generation .. " of the spec")
  return hs
end

local ready = condition(status, "Ready")
if status.status == "Available" and (ready == nil or ready.status == "True") then
  hs.status = "Healthy"
  hs.message = said(ready, "Available")
  return hs
end

local reconciling = condition(status, "Reconciling")
if current(reconciling, generation) then
  hs.status = "Progressing"
  hs.message = said(reconciling, "Reconciling")
  return hs
end

if status.status == "Failed" or status.status == "Degraded" then
  hs.status = "Degraded"
  hs.message = said(ready, status.status)
  return hs
end

hs.status = "Progressing"
hs.message = said(ready, "Waiting for status.status to become Available")
return hs
