# Svitok's web interface in Russian (the default language). Keys are shared with en.ftl;
# a test checks that both files hold the same keys and that every key a page uses exists.

## Frame and navigation
app-name = Свиток
skip-to-content = К содержанию
nav-sections = Разделы
nav-inbox = Входящие
nav-unread = Непрочитанные
nav-mine = Мои документы
nav-all = Все документы
nav-new = Создать
nav-groups = Группы
nav-users = Пользователи
nav-stats = Статистика
nav-audit = Журнал
nav-trash = Корзина
logout = Выйти
other-language = English
other-language-code = en

## Common words
find = Найти
search = Поиск
cancel = Отмена
back = Вернуться
to-inbox = К входящим
save = Сохранить
none = нет
status-any = любой
code-field = Код
email = Почта
password = Пароль
last-name = Фамилия
first-name = Имя
middle-name = Отчество
login-name = Логин
position = Должность
birth-date = Дата рождения
resend-code = Отправить новый код
resend-wait = (через { $seconds } с)
date-time = { $day }.{ $month }.{ $year } { $hour }:{ $minute } UTC

## Signing in, registration, password reset
login-title = Вход
login-break-glass = Аварийный вход по паролю
login-heading = Вход в систему
login-field = Логин или почта
continue = Продолжить
forgot-password = Забыли пароль?
register-link = Регистрация
notice-registered = Адрес подтверждён. Теперь войдите.
notice-reset = Пароль изменён. Войдите с новым паролем.
code-title = Код входа
code-totp = Введите шестизначный код из приложения-аутентификатора.
code-mailed = Мы отправили шестизначный код на вашу почту. Он действует десять минут.
sign-in = Войти
register-title = Регистрация
password-hint = Не короче 10 символов; не используйте своё имя, логин и распространённые пароли.
register-submit = Зарегистрироваться
have-account = У меня уже есть учётная запись
confirm-title = Подтверждение почты
confirm-text = Мы отправили шестизначный код на адрес { $email }. Введите его, чтобы завершить регистрацию.
confirm-submit = Подтвердить
reset-title = Восстановление пароля
reset-text = Укажите почту учётной записи: мы отправим на неё код для нового пароля.
reset-submit = Получить код
to-login = Ко входу
new-password-title = Новый пароль
reset-code-sent = Если адрес { $email } принадлежит учётной записи, на него пришёл шестизначный код.
reset-code-any = Введите почту, код из письма (приглашения или восстановления пароля) и новый пароль.
new-password = Новый пароль
save-password = Сохранить пароль

## First start
setup-title = Свиток: первый администратор
setup-text = Эта ссылка работает один раз. Администратор получит все семь прав.
setup-submit = Создать администратора
setup-done = Администратор создан
setup-done-text = Войдите как { $login }: код входа придёт на { $email }.
setup-gone = Ссылка больше не действует
setup-gone-text = Первый администратор уже создан. Войдите или обратитесь к нему.

## Document statuses
status-draft = Черновик
status-in_review = На согласовании
status-signing = На подписании
status-signed = Подписан
status-in_progress = В работе
status-done = Исполнен
status-rejected = Отклонён
status-archived = В архиве

## Inbox and lists
inbox-summary = Всего: { $total }. Непрочитанных: { $unread }.
col-document = Документ
col-status = Статус
col-from = От кого
col-received = Получен
col-kind = Вид
col-changed = Изменён
tag-sign = на подпись
inbox-empty = Входящих документов нет.
heading-all = Все документы
heading-mine = Мои документы
heading-trash = Корзина
search-placeholder = Название, описание, номер
create-document = Создать документ
trash-note = Документы из корзины удаляются навсегда по истечении срока хранения.
next-page = Дальше
trash-empty = Корзина пуста.
nothing-found = Ничего не найдено.

sort = Порядок
sort--updated_at = сначала недавно изменённые
sort-updated_at = сначала давно изменённые
sort--created_at = сначала новые
sort-created_at = сначала старые
sort-title = по названию, А→Я
sort--title = по названию, Я→А
sort-due_date = по сроку, ближайшие первыми
sort--due_date = по сроку, дальние первыми
documents-found = Найдено: { $count ->
    [one] { $count } документ
    [few] { $count } документа
   *[many] { $count } документов
}.

more-filters = Ещё условия
created-from = Создан с
created-to = Создан по
due-before = Срок раньше

## New document
new-title = Новый документ
from-file = Из файла
file = Файл
drop-hint = Можно перетащить файл сюда.
title-field = Название
title-default = По умолчанию — имя файла
kind-field = Вид
upload = Загрузить
upload-offline = Файл не отправлен: нет связи с сервером.
empty-card = Пустая карточка
kind-placeholder = Приказ, договор, служебная записка…
description = Описание
create-card = Создать карточку
no-create-rights = У вас нет прав создавать документы. Обратитесь к администратору.

## Document card
in-trash = в корзине
owner = Владелец
responsible = Ответственный
change = сменить
due = Срок
take = Взять в работу
send = Отправить
request-signatures = Запросить подписи
to-trash = В корзину
restore = Восстановить
move-to = Перевести в статус:
versions = Версии
col-number = №
col-file = Файл
col-size = Размер
col-signatures = Подписей
col-uploaded = Загружена
no-files = Файлов нет: это карточка.
new-version = Новая версия
attach-file = Прикрепить файл
sign-version = Подписать версию { $n }
signatures = Подписи
every-member = (все участники)
signed = подписано
awaiting-signature = ожидается подпись
col-version = Версия
col-signer = Подписант
col-signed-at = Подписано
col-check = Проверка
col-signature-file = Файл подписи
check = проверить
no-signatures = Подписей нет.
history = История
system = система
check-valid = верна
check-revoked = верна на момент подписания; сертификат отозван
check-invalid = недействительна: { $why }
responsible-group = группа «{ $name }»
history-created = создан документ
history-version_added = добавлена версия
history-updated = изменена карточка
history-status_changed = изменён статус
history-responsible_changed = сменился ответственный
history-sent = документ отправлен
history-forwarded = документ переслан
history-downloaded = файл скачан
history-deleted = документ в корзине
history-restored = документ восстановлен
history-signed = версия подписана
history-signatures_requested = запрошены подписи
history-other = действие

edit-card = Изменить карточку
reg-number = Регистрационный номер
failed-edit = Карточка не изменена

verify-outside = Проверить подпись можно и без системы (OpenSSL):
ca-certificate = сертификат удостоверяющего центра
crl = список отозванных сертификатов

## Choosing people and groups
pick-send-heading = Отправить документ
pick-responsible-heading = Сменить ответственного
pick-signers-heading = Запросить подписи
pick-send-button = Отправить
pick-responsible-button = Назначить
pick-signers-button = Запросить
document-label = Документ
pick-search = Найти сотрудника или группу
pick-placeholder = Фамилия, должность, название группы
pick-legend-single = Кому передать ответственность
pick-legend-signers = Кто подписывает
pick-legend-send = Кому отправить
pick-keeps = Отмеченные остаются отмеченными при новом поиске.
nobody-found = Никого не найдено. Измените запрос.
comment = Комментарий
hand-over = Передать ответственность (одному адресату)
every-member-option = От группы подписывают все участники (иначе — любой один)
group-label = Группа «{ $name }»
members-count = { $count ->
    [one] { $count } участник
    [few] { $count } участника
   *[many] { $count } участников
}

## Signing
sign-title = Подписание
sign-document = Документ «{ $title }», версия { $version }.
sign-totp = Подтвердите подпись кодом из приложения-аутентификатора.
sign = Подписать

## Errors
error-404-heading = Не найдено
error-404-text = Такой страницы или документа нет, или у вас нет к нему доступа.
error-403-heading = Доступ запрещён
error-403-text = У вас нет права на это действие.
error-429-heading = Слишком много попыток
error-429-text = Подождите немного и повторите.
error-heading = Ошибка
error-text = Что-то пошло не так. Повторите попытку или обратитесь к администратору.
error-internal = Внутренняя ошибка. Повторите попытку или обратитесь к администратору.
failed-status = Статус не изменён
failed-sign = Документ не подписан
failed-upload = Документ не загружен
failed-version = Версия не добавлена
failed-take = Документ не взят
failed-delete = Документ не удалён
failed-restore = Документ не восстановлен
failed-action = Действие не выполнено
failed-profile = Профиль не сохранён
failed-user-status = Статус пользователя не изменён
failed-rights = Права не изменены
failed-group-create = Группа не создана
failed-members = Состав группы не изменён
failed-group-delete = Группа не удалена
failed-revoke = Доступ не отозван
failed-language = Язык не изменён

## What went wrong, in general (English pages put it before the system's own words)
retry-after = Можно повторить через { $wait }.
wait-seconds = { $n } с
wait-minutes = { $n } мин

## Users and rights
users-title = Пользователи
users-placeholder = ФИО, логин, почта, должность
user-status-active = активен
user-status-pending = ожидает подтверждения
user-status-blocked = заблокирован
create-user = Создать пользователя
users-found = Найдено: { $count ->
    [one] { $count } пользователь
    [few] { $count } пользователя
   *[many] { $count } пользователей
}.
col-employee = Сотрудник
col-login = Логин
col-email = Почта
col-rights = Права
new-user-title = Новый пользователь
new-user-text = Сотрудник получит письмо с приглашением и кодом, чтобы задать пароль.
rights = Права
rights-default = Права по умолчанию; изменить их может сотрудник с правом выдачи прав.
create-invite = Создать и пригласить
right-manage_own_documents = Свои документы
right-manage_own_documents-hint = Загружать файлы и новые версии, скачивать файлы, удалять свои документы
right-send_documents = Отправка
right-send_documents-hint = Отправлять и пересылать документы пользователям и группам
right-create_documents = Карточки
right-create_documents-hint = Создавать карточки документов без файла
right-sign_documents = Подпись
right-sign_documents-hint = Подписывать версии документов электронной подписью
right-view_statistics = Статистика
right-view_statistics-hint = Видеть статистику по всей организации
right-manage_users = Пользователи
right-manage_users-hint = Создавать, изменять, блокировать пользователей; управлять группами; читать журнал
right-grant_rights = Выдача прав
right-grant_rights-hint = Включать и выключать права других пользователей
right-not-yours = Нельзя выдать право, которого нет у вас
last-login = Последний вход
groups = Группы
unblock = Разблокировать
block = Заблокировать
user-rights-legend = Права пользователя
save-rights = Сохранить права
profile = Профиль
save-profile = Сохранить профиль

## Groups
groups-placeholder = Название группы
col-group = Группа
col-members = Участники
no-groups = Групп нет.
new-group = Новая группа
name = Название
create-group = Создать группу
group-heading = Группа «{ $name }»
members = Участники
members-hidden = Состав группы видят её участники и администраторы.
exclude = Исключить
group-empty = В группе пока никого нет.
add-employee = Добавить сотрудника
employee-placeholder = Фамилия, должность
add = Добавить
group-documents = Документы группы
no-documents = Документов нет.
delete-group = Удалить группу

## Profile
profile-title = Профиль
rights-list = права: { $list }
new-token-heading = Новый API-токен
new-token-text = Скопируйте его сейчас: больше он показан не будет.
identity-by-administrators = Имя, должность и дату рождения меняет администратор: они входят в сертификат вашей электронной подписи.
my-data = Данные
current-password = Текущий пароль
change-password = Сменить пароль
totp-heading = Код из приложения (TOTP)
totp-scan = Отсканируйте код в приложении-аутентификаторе или введите ключ вручную, затем введите шестизначный код из приложения.
totp-qr-alt = QR-код для приложения-аутентификатора
totp-key = Ключ:
totp-code = Код из приложения
enable = Включить
totp-on = Включён: при входе спрашивается код из приложения.
disable = Выключить
totp-off = Выключен: коды входа приходят на почту.
totp-connect = Подключить приложение
sessions = Сеансы
col-browser = Браузер
col-address = Адрес
col-started = Начат
col-activity = Активность
col-action = Действие
this-session = этот сеанс
end-session = Завершить
tokens = API-токены
col-name = Название
col-created = Создан
col-valid-until = Действует до
revoke = Отозвать
no-tokens = Токенов нет.
token-name-placeholder = Интеграция с 1С
token-days = Срок, дней
issue-token = Выпустить токен
language = Язык интерфейса
language-ru = Русский
language-en = English
notice-saved = Профиль сохранён.
notice-password = Пароль изменён. Другие сеансы завершены.
notice-totp = Вход по коду из приложения включён.
notice-totp-off = Вход по коду из приложения выключен: коды снова приходят на почту.
notice-revoked = Доступ отозван.
notice-language = Язык интерфейса изменён.

email-code-sent = Мы отправили код на { $email }. Введите его, чтобы сменить адрес.
new-email = Новый адрес
change-email = Сменить адрес
notice-email = Адрес почты изменён.
edit-group = Изменить группу
failed-group-edit = Группа не изменена

## Statistics
stats-title = Статистика
stats-documents = Документов
stats-overdue = Просрочено
stats-to-done = В среднем до «Исполнен»
stats-to-signed = В среднем до «Подписан»
hours = { $n } ч
by-status = По статусам
per-week = Создано и исполнено по неделям
by-group = По ответственным группам
senders = Больше всех отправляли
col-documents = Документов
no-data = Данных нет.
week-from = Неделя с
created = Создано
completed = Исполнено

## Audit log
audit-title = Журнал
audit-heading = Журнал событий
action = Действие
action-placeholder = login, document.signed…
object = Объект
object-placeholder = Идентификатор
outcome = Итог
outcome-success = успех
outcome-failure = отказ
from = С
to = По
show = Показать
col-seq = №
col-time = Время
col-who = Кто
col-details = Подробности
earlier = Раньше
no-events = Событий не найдено.
identities = Вход через службы организации
col-provider = Служба входа
col-linked = Привязана
unlink = Отвязать
notice-unlinked = Учётная запись службы входа отвязана
col-subject = Идентификатор
